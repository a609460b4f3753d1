"""Every page path, once (the API's are in services/beds/api/urls.py)."""

HOME = "/"
BOARD = "/board/{site_id:str}"
BOARD_LIVE = "/board/{site_id:str}/live"
BOARD_WORKER = "/board/worker.js"  # at /board/ so that its scope covers every board
PATROL = "/patrol"
REFERRALS = "/pages/referrals"
REFERRAL = "/pages/referrals/{referral_id:str}"
CRISIS = "/crisis"
REPORTS = "/reports"
REPORTS_CSV = "/reports/ledger.csv"
SIGN_IN = "/sign-in"
SIGN_IN_LINK = "/sign-in/link"
SIGN_OUT = "/sign-out"
STATIC = "/static"

# The pages check their own sign-in cookie (a stranger gets the sign-in page, not a problem).
PUBLIC = (
    r"^/$",
    r"^/board/",
    r"^/patrol$",
    r"^/pages/",
    r"^/crisis$",
    r"^/reports",
    r"^/sign-",
    r"^/static/",
)
