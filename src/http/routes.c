/*
 * Every endpoint of gridline. Keep this table the one place a route is
 * declared: the server dispatches from it and /api/v1/openapi.json is
 * generated from it. The web app is served for every other GET path.
 * Routes need a signed-in user unless marked PUBLIC; the handler then asks
 * core/authz for the role and scope. First match wins, so a literal
 * segment ("/grids/locate") comes before a parameter ("/grids/{code}").
 */
#include "http/routes.h"
#include "api/api.h"

/*        method  pattern                     handler                 tag            ok   auth          body spec                   summary */
#define R(m, p, h, tag, ok, auth, body, sum) {m, p, h, tag, sum, body, ok, 0, auth, NULL}
/* A route whose body is raw bytes of the given media types, up to max bytes. */
#define RAW(m, p, h, tag, ok, media, max, sum) {m, p, h, tag, sum, NULL, ok, max, AUTH_USER, media}
/* A JSON body allowed to be larger than the configured default. */
#define BIG(m, p, h, tag, ok, body, max, sum) {m, p, h, tag, sum, body, ok, max, AUTH_USER, NULL}
#define USER AUTH_USER
#define PUBLIC AUTH_PUBLIC

const struct route http_routes[] = {
    R("GET", "/healthz", api_healthz, "health", 200, PUBLIC, NULL, "The process is alive."),
    R("GET", "/readyz", api_readyz, "health", 200, PUBLIC, NULL,
      "The database is reachable and its schema is current."),
    R("GET", "/api/v1/openapi.json", api_openapi, "meta", 200, PUBLIC, NULL, "This API description."),
    R("GET", "/metrics", http_metrics, "health", 200, PUBLIC, NULL,
      "Prometheus text: requests and latency per route, transaction times, cases per state,"
      " open overdue and supervised cases, overdue errands, the outbox backlog (to loopback"
      " clients only)."),
    R("GET", "/api/v1/public/board", api_public_board, "stats", 200, PUBLIC, NULL,
      "The public board, without signing in: closed cases (category, village, grid,"
      " department, days taken, on time, rating; nothing personal), newest first (?cursor,"
      " ?limit), and each department's figures for the last six months."),

    R("POST", "/api/v1/session", api_session_create, "session", 201, PUBLIC, api_login_spec,
      "Sign in: sets the session cookie and returns the user and the CSRF token."),
    R("DELETE", "/api/v1/session", api_session_delete, "session", 204, USER, NULL, "Sign out."),
    R("GET", "/api/v1/me", api_me, "session", 200, USER, NULL, "The signed-in user and their roles."),
    R("POST", "/api/v1/me/totp", api_totp_begin, "session", 201, USER, NULL,
      "Start two-factor enrolment (staff): returns the secret and an otpauth:// URI."),
    R("POST", "/api/v1/me/totp/confirm", api_totp_confirm, "session", 200, USER,
      api_totp_confirm_spec, "Finish enrolment with a current code; sign-in then asks for one."),
    R("POST", "/api/v1/tokens", api_tokens_create, "session", 201, USER, api_token_create_spec,
      "Create a bearer API token for the caller (staff); shown once."),

    R("GET", "/api/v1/regions", api_regions_list, "territory", 200, USER, NULL,
      "Child regions of ?parent=CODE (the counties when absent)."),
    R("POST", "/api/v1/regions", api_regions_create, "territory", 201, USER, api_region_create_spec,
      "Create a county, town/street or village/community (admin, in scope)."),
    R("GET", "/api/v1/regions/{code}", api_regions_get, "territory", 200, USER, NULL, "One region."),
    R("GET", "/api/v1/grids", api_grids_list, "territory", 200, USER, NULL,
      "Grids under ?region=CODE, with GeoJSON geometry unless ?geometry=0."),
    R("POST", "/api/v1/grids", api_grids_create, "territory", 201, USER, api_grid_create_spec,
      "Create a grid with its polygon (admin, in scope)."),
    BIG("POST", "/api/v1/grids/import", api_grids_import, "territory", 201, api_grid_import_spec,
        8u << 20, "Create grids from a GeoJSON FeatureCollection (up to 8 MiB), all or nothing:"
        " every feature is checked first and the first bad one is named by its number."),
    R("GET", "/api/v1/grids/locate", api_grids_locate, "territory", 200, USER, NULL,
      "The grid containing ?lat=&lng= (a border point belongs to the lowest code); 404 outside."),
    R("GET", "/api/v1/grids/{code}/card", api_grid_card, "territory", 200, USER, NULL,
      "The grid's printable service card (便民服务卡, SVG): the grid, its workers and their"
      " phones, the duty phone and a QR code to the grid's report page."),
    R("GET", "/api/v1/grids/{code}", api_grids_get, "territory", 200, USER, NULL,
      "One grid with its geometry and grid workers."),
    R("GET", "/api/v1/departments", api_departments_list, "territory", 200, USER, NULL,
      "All departments."),
    R("POST", "/api/v1/departments", api_departments_create, "territory", 201, USER,
      api_department_create_spec, "Create a department (admin, in scope)."),
    R("GET", "/api/v1/departments/{id}", api_departments_get, "territory", 200, USER, NULL,
      "One department."),

    R("GET", "/api/v1/households", api_households_list, "households", 200, USER, NULL,
      "Households in the caller's scope (?region, ?q name, ?cursor, ?limit), personal data masked."),
    R("POST", "/api/v1/households", api_households_create, "households", 201, USER,
      api_household_create_spec, "Record a household (grid worker or admin, in scope)."),
    R("GET", "/api/v1/households/{id}", api_households_get, "households", 200, USER, NULL,
      "One household; ?unmask=1 shows personal data to holders of that permission, and logs it."),
    R("PATCH", "/api/v1/households/{id}", api_households_patch, "households", 200, USER,
      api_household_patch_spec, "Change a household (grid worker or admin, in scope); if_version guards."),
    R("POST", "/api/v1/households/{id}/links", api_households_link, "households", 201, USER,
      api_link_spec, "Link a 联户 party member to the household (admin, in scope)."),
    R("DELETE", "/api/v1/households/{id}/links/{user_id}", api_households_unlink, "households", 204,
      USER, NULL, "Remove a 联户 link."),

    R("GET", "/api/v1/users", api_users_list, "users", 200, USER, NULL,
      "Users with a role in the caller's scope (admin, auditor)."),
    R("POST", "/api/v1/users", api_users_create, "users", 201, USER, api_user_create_spec,
      "Create a user with role assignments inside the admin's scope."),
    R("GET", "/api/v1/users/{id}", api_users_get, "users", 200, USER, NULL, "One user and their roles."),
    R("PATCH", "/api/v1/users/{id}", api_users_patch, "users", 200, USER, api_user_patch_spec,
      "Rename, deactivate or re-scope a user (admin, in scope); if_version guards."),

    R("GET", "/api/v1/categories", api_categories_list, "categories", 200, USER, NULL,
      "List case categories ordered by code; ?parent=CODE keeps one category's children."),
    R("POST", "/api/v1/categories", api_categories_create, "categories", 201, USER,
      api_category_create_spec, "Create a case category (admin without a region limit)."),
    R("GET", "/api/v1/categories/{id}", api_categories_get, "categories", 200, USER, NULL,
      "One case category."),

    R("GET", "/api/v1/cases", api_cases_list, "cases", 200, USER, NULL,
      "Cases the caller may see, newest first. Filters: ?state (a state, or open: not yet"
      " closed, rejected or merged), ?region (region or grid code),"
      " ?dept_id, ?category (code, with its sub-categories), ?channel, ?overdue=0|1,"
      " ?supervised=0|1 (the 督办 queue), ?q (text or case code), ?from, ?to (RFC 3339);"
      " ?cursor, ?limit."),
    R("POST", "/api/v1/cases", api_cases_create, "cases", 201, USER, api_case_create_spec,
      "Report a case: the grid is found from lat/lng (or given); answers the case with its code"
      " and likely duplicates (same category within 50 m or at the same address, 30 days). A"
      " resend with the same client_key answers 200 with the case already written."),
    R("GET", "/api/v1/cases/summary", api_cases_summary, "cases", 200, USER, NULL,
      "Counts of the cases the caller may see (same filters as the list): by state, open,"
      " overdue, supervised, yellow, red."),
    R("GET", "/api/v1/cases/{id}", api_cases_get, "cases", 200, USER, NULL,
      "One case with its timeline and the actions the caller may take now;"
      " ?unmask=1 shows the reporter's phone to holders of that permission, and logs it."),
    RAW("POST", "/api/v1/cases/{id}/photos", api_case_photo_add, "cases", 201,
        "image/jpeg image/png", 10u << 20,
        "Add a photo (JPEG or PNG, up to 10 MiB) to a case at ?step=report|handle|verify:"
        " checked by content, re-encoded without metadata (EXIF/GPS), upright; 9 per step."),
    R("GET", "/api/v1/cases/{id}/photos/{photo_id}", api_case_photo_get, "cases", 200, USER, NULL,
      "A photo of a case, to those who may see the case."),
    R("POST", "/api/v1/cases/{id}/{action}", api_cases_act, "cases", 200, USER,
      api_case_action_spec,
      "A step of the case loop: accept, reject, merge, dispatch, return, start, handle,"
      " self_handle, verify, reopen, escalate, supervise, rate, comment. Checks role, scope,"
      " if_version and state: 409 version_conflict or invalid_transition (naming the state)."),

    R("GET", "/api/v1/services", api_services_list, "errands", 200, USER, NULL,
      "The errand service catalog ordered by code: ?category, ?q (name or code), ?all=1 keeps"
      " retired items."),
    R("POST", "/api/v1/services", api_services_create, "errands", 201, USER,
      api_service_create_spec, "Add a catalog item (admin without a region limit)."),
    R("GET", "/api/v1/services/{id}", api_services_get, "errands", 200, USER, NULL,
      "One catalog item."),
    R("PATCH", "/api/v1/services/{id}", api_services_patch, "errands", 200, USER,
      api_service_patch_spec, "Change or retire a catalog item; if_version guards."),
    R("GET", "/api/v1/errands", api_errands_list, "errands", 200, USER, NULL,
      "Errands the caller may see, newest first. Filters: ?state, ?box=red|blue|closed|cancelled,"
      " ?region (region or grid code), ?service, ?agent, ?overdue=0|1, ?q (name or code),"
      " ?from, ?to (RFC 3339); ?cursor, ?limit."),
    R("POST", "/api/v1/errands", api_errands_create, "errands", 201, USER, api_errand_create_spec,
      "Register a resident's errand into the red box (agent, dispatcher, grid worker, in"
      " scope; a resident asks for their own, online): the deadline is the service's promised"
      " working days."),
    R("GET", "/api/v1/errands/ledger", api_errands_ledger, "errands", 200, USER, NULL,
      "The errand ledger (台账), oldest first: who received, who handled and when each step"
      " happened. ?format=json|csv|xlsx (Chinese headers) and the list's filters; ?cursor."),
    R("GET", "/api/v1/errands/{id}", api_errands_get, "errands", 200, USER, NULL,
      "One errand with its timeline, materials checklist and the actions the caller may take;"
      " ?unmask=1 shows the phone to holders of that permission, and logs it."),
    R("GET", "/api/v1/errands/{id}/signature", api_errands_signature, "errands", 200, USER,
      NULL, "The resident's sign-off signature (PNG)."),
    R("POST", "/api/v1/errands/{id}/{action}", api_errands_act, "errands", 200, USER,
      api_errand_action_spec,
      "A step of an errand: accept, submit, complete, notify (sends the resident a one-time"
      " code), confirm (with that code or a signature), cancel, return_materials. Checks role,"
      " scope, if_version and state: 409 version_conflict or invalid_transition."),

    R("GET", "/api/v1/opinions", api_opinions_list, "participation", 200, USER, NULL,
      "Opinions and ideas (民意/金点子) the caller may see, newest first. Filters: ?state"
      " (new, replied, adopted, not_adopted), ?kind (opinion, idea), ?channel (collection,"
      " meeting, letter, visit, phone, online), ?category, ?region, ?q, ?from, ?to; ?cursor,"
      " ?limit; ?format=csv|xlsx downloads them all (Chinese headers)."),
    R("POST", "/api/v1/opinions", api_opinions_create, "participation", 201, USER,
      api_opinion_create_spec,
      "Write down an opinion or idea heard through one of the six channels (residents: their"
      " own, online); the deciders of its region are told."),
    R("GET", "/api/v1/opinions/stats", api_opinions_stats, "participation", 200, USER, NULL,
      "Counts of the opinions the caller may see (the list's filters) per channel (all six)"
      " and per region one level below ?region, each by state."),
    R("GET", "/api/v1/opinions/{id}", api_opinions_get, "participation", 200, USER, NULL,
      "One opinion with its timeline, its case (when turned into one) and the actions the"
      " caller may take."),
    R("POST", "/api/v1/opinions/{id}/{action}", api_opinions_act, "participation", 200, USER,
      api_opinion_action_spec,
      "Decide on an opinion: reply, adopt, reject (with the reasons), to_case (reports a case"
      " that names the opinion). Checks role, scope, if_version and state."),

    R("GET", "/api/v1/polls", api_polls_list, "participation", 200, USER, NULL,
      "Polls on livelihood projects (百姓点菜), newest first: ?region (those its residents vote"
      " in, and those under it), ?phase (upcoming, open, closed); ?cursor, ?limit;"
      " ?format=csv|xlsx."),
    R("POST", "/api/v1/polls", api_polls_create, "participation", 201, USER,
      api_poll_create_spec,
      "Open a poll with 2-30 candidate projects, a window, picks per ballot and how many"
      " projects closing publishes (leader or admin whose scope holds the region)."),
    R("GET", "/api/v1/polls/{id}", api_polls_get, "participation", 200, USER, NULL,
      "One poll: its projects ranked live by votes (with share and whether within the top N),"
      " the caller's own picks, the published results once closed, and the actions."),
    R("POST", "/api/v1/polls/{id}/votes", api_polls_vote, "participation", 201, USER,
      api_poll_vote_spec,
      "Cast the caller's one ballot (residents of the poll's region, while it is open);"
      " a second is 409 already_voted."),
    R("POST", "/api/v1/polls/{id}/close", api_polls_close, "participation", 200, USER,
      api_vote_close_spec, "Close the poll now and publish its top N (the sweep closes it at"
      " closes_at otherwise)."),
    R("GET", "/api/v1/polls/{id}/results", api_polls_results, "participation", 200, USER, NULL,
      "The ranked results as JSON, or ?format=csv|xlsx."),

    R("GET", "/api/v1/evaluations", api_evaluations_list, "participation", 200, USER, NULL,
      "Residents' evaluations of cadres (群众评议), newest first: ?region, ?phase; ?cursor,"
      " ?limit; ?format=csv|xlsx."),
    R("POST", "/api/v1/evaluations", api_evaluations_create, "participation", 201, USER,
      api_evaluation_create_spec,
      "Open an evaluation of cadres or departments for a year's work (leader or admin whose"
      " scope holds the region)."),
    R("GET", "/api/v1/evaluations/{id}", api_evaluations_get, "participation", 200, USER, NULL,
      "One evaluation with its targets, whether the caller voted, and the results: published"
      " once closed, live for those running it (residents' score 70%, points 30%, a vetoing"
      " commitment makes it 0)."),
    R("POST", "/api/v1/evaluations/{id}/ballots", api_evaluations_ballot, "participation", 201,
      USER, api_evaluation_ballot_spec,
      "Cast the caller's one ballot, grading every target (residents of the region, while"
      " open); a second is 409 already_voted."),
    R("POST", "/api/v1/evaluations/{id}/close", api_evaluations_close, "participation", 200,
      USER, api_vote_close_spec, "Close the evaluation now and publish its results."),
    R("GET", "/api/v1/evaluations/{id}/results", api_evaluations_results, "participation", 200,
      USER, NULL, "The results (once published, or live for those running it) as JSON, or"
      " ?format=csv|xlsx."),

    R("GET", "/api/v1/commitments", api_commitments_list, "participation", 200, USER, NULL,
      "Public commitments (公开承诺), newest first: ?region, ?state (active, completed, kept,"
      " failed), ?year, ?owner_user, ?owner_dept, ?overdue=0|1, ?veto=0|1 (overdue or failed:"
      " 一票否决); ?cursor, ?limit; ?format=csv|xlsx."),
    R("POST", "/api/v1/commitments", api_commitments_create, "participation", 201, USER,
      api_commitment_create_spec,
      "Publish a commitment of a cadre or a department to a region, with its due date (leader"
      " or admin whose scope holds the region)."),
    R("GET", "/api/v1/commitments/{id}", api_commitments_get, "participation", 200, USER, NULL,
      "One commitment with its progress timeline, the veto flag and the caller's actions."),
    R("POST", "/api/v1/commitments/{id}/{action}", api_commitments_act, "participation", 200,
      USER, api_commitment_action_spec,
      "progress (note, evidence, percent) and complete by the owner or its department; review"
      " (outcome kept or failed) by a leader or supervisor. if_version guards."),

    R("GET", "/api/v1/visits", api_visits_list, "participation", 200, USER, NULL,
      "Household visits (走访/民情日记) the caller may see, newest first: ?region,"
      " ?household_id, ?visitor, ?from, ?to; ?cursor, ?limit; ?format=csv|xlsx."),
    R("POST", "/api/v1/visits", api_visits_create, "participation", 201, USER,
      api_visit_create_spec,
      "Log a visit to a household in the caller's area (party members: their linked"
      " households). A resend with the same client_key answers 200 with the visit already"
      " logged."),
    R("GET", "/api/v1/visits/coverage", api_visits_coverage, "participation", 200, USER, NULL,
      "Per grid of ?region (default the caller's area): households, households visited"
      " between ?from and ?to (default this month) and the share; ?format=csv|xlsx."),
    R("GET", "/api/v1/visits/{id}", api_visits_get, "participation", 200, USER, NULL,
      "One visit with what it led to."),
    R("POST", "/api/v1/visits/{id}/{action}", api_visits_act, "participation", 200, USER,
      api_visit_action_spec,
      "to_case (reports a case from what was heard), to_opinion (records it as an opinion"
      " heard on a visit) or follow_up_done; if_version guards."),

    R("GET", "/api/v1/points/rules", api_point_rules_list, "participation", 200, USER, NULL,
      "The points rule table (积分): what each kind of deed is worth, its default, whether it"
      " counts."),
    R("PUT", "/api/v1/points/rules/{code}", api_point_rules_put, "participation", 200, USER,
      api_point_rule_spec, "Change what a deed is worth (admin without a region limit);"
      " if_version guards (0 while at the default)."),
    R("GET", "/api/v1/points/ranking", api_points_ranking, "participation", 200, USER, NULL,
      "Cadres of ?region (default: the caller's area) ranked by points over ?from..?to"
      " (default this year), computed from history; ?role narrows; ties share a rank;"
      " ?limit; ?format=csv|xlsx."),

    R("GET", "/api/v1/stats/kpis", api_stats_kpis, "stats", 200, USER, NULL,
      "KPIs over ?from..?to (default this month) of the cases the caller sees, ?by=total,"
      " department, grid, region (one level below ?region), category (top level),"
      " subcategory or channel; ?region, ?dept_id, ?category narrow. Each item has every"
      " count and rate of components.schemas.Kpi (rates null when nothing to divide);"
      " ?format=csv|xlsx."),
    R("GET", "/api/v1/stats/trends", api_stats_trends, "stats", 200, USER, NULL,
      "Received, closed on time, closed late and gone overdue per ?interval=day|week|month"
      " (default the last 30 days, 12 weeks or 12 months), with the KPIs' filters; empty"
      " buckets are zeros."),
    R("GET", "/api/v1/stats/hotspots", api_stats_hotspots, "stats", 200, USER, NULL,
      "Places (?by=grid or cell: 50 m) whose reports in the last ?days (7) are well above"
      " their own ?baseline_days (56) before: at least 3, and 2 standard deviations over the"
      " baseline's rate; highest first (?all=1 lists every place with reports)."),
    R("GET", "/api/v1/stats/recurring", api_stats_recurring, "stats", 200, USER, NULL,
      "The same category at the same place (?by=grid or cell) at least ?min (3) times in the"
      " last ?days (90), most first, with the latest case."),
    R("GET", "/api/v1/dashboard", api_dashboard, "stats", 200, USER, NULL,
      "A leader's screen in one request: the window's KPIs (default this month) and the"
      " previous window's (previous_from..previous_to: while the window runs, only as far"
      " into it as now is into this one), departments, 30 days of trend, open cases by state, open and"
      " overdue per grid, hotspots, errands and participation in the area."),

    R("GET", "/api/v1/routing-rules", api_routes_list, "cases", 200, USER, NULL,
      "Routing rules: (category, region) -> department and time limit; the most specific wins."),
    R("PUT", "/api/v1/routing-rules", api_routes_put, "cases", 200, USER, api_route_spec,
      "Create or replace the rule for (category, region) (admin whose scope holds the region)."),
    R("GET", "/api/v1/calendar", api_calendar_get, "cases", 200, USER, NULL,
      "The working-time calendar: daily periods, working weekdays and the holidays and make-up"
      " workdays between ?from and ?to (YYYY-MM-DD; default this year)."),
    R("PUT", "/api/v1/calendar/hours", api_calendar_hours, "cases", 200, USER,
      api_calendar_hours_spec, "Set the working periods and weekdays (admin without a region limit)."),
    R("PUT", "/api/v1/calendar/days/{day}", api_calendar_day_put, "cases", 200, USER,
      api_calendar_day_spec, "Mark a day a holiday or a make-up workday (调休)."),
    R("DELETE", "/api/v1/calendar/days/{day}", api_calendar_day_delete, "cases", 204, USER, NULL,
      "Make a day ordinary again."),

    R("GET", "/api/v1/events", api_events, "notifications", 200, USER, NULL,
      "Server-sent events (text/event-stream): `event: case` for each committed change to a case"
      " the caller may see; Last-Event-ID resumes; a heartbeat comment every 15 s."),
    R("GET", "/api/v1/notifications", api_notifications_list, "notifications", 200, USER, NULL,
      "The caller's inbox, newest first (?unread=1, ?cursor, ?limit), with the unread count."),
    R("POST", "/api/v1/notifications/read", api_notifications_read, "notifications", 200, USER,
      api_notifications_read_spec, "Mark notifications read up to and including up_to_id."),

    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL},
};
