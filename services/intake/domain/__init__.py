"""Pure rules of intake (referrals and people arrive with the intake issue)."""
