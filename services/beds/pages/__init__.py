"""beds' pages: server-rendered HTML for the people at the door, on the street and in the car
(SPEC 8, issue 23). `pages.app.pages_of` wires them; the modules beside it each do one job."""
