"""intake: people and referrals — who needs a place, from whom, with what needs. Personal data
lives here and only here; everything that leaves intake is ids and coded facts."""
