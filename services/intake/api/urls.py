"""Every intake path, once: controllers and tests use these constants."""

API = "/api/v1"
REFERRALS = f"{API}/referrals"
REFERRAL = f"{REFERRALS}/{{referral_id:str}}"
REFERRAL_CANCEL = f"{REFERRAL}/cancel"
PERSON_ANONYMISE = f"{API}/people/{{person_id:str}}/anonymise"
PERSON_RESTRICTIONS = f"{API}/people/{{person_id:str}}/restrictions"
TRIPS = f"{API}/trips"
