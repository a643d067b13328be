# The names of the domain's closed sets (states, reasons, kinds...), as pages show them.
# Ids are `<Type>-<stored value>` (see `domain::labels`); the English ones equal the code's labels.

BulkKind-claim = Claim
BulkKind-assign = Assign to an agent
BulkKind-priority = Set priority
BulkKind-request_documents = Request documents
BulkKind-reject = Reject
BulkKind-approve = Approve
BulkKind-note = Add a note
BulkKind-apply_suggestion = Apply the desk's suggestion

ItemOutcome-will_change = will change
ItemOutcome-skip = will be skipped
ItemOutcome-changed = changed
ItemOutcome-skipped = skipped
ItemOutcome-failed = failed

DocumentKind-identity_card = Identity card
DocumentKind-proof_of_ownership = Proof of ownership
DocumentKind-authorisation_letter = Authorisation letter
DocumentKind-bank_account_proof = Bank account proof
DocumentKind-other = Other document

Verdict-pending = Not checked yet
Verdict-accepted = Accepted
Verdict-rejected = Rejected

EventKind-submitted = Application received
EventKind-claimed = Claimed
EventKind-assigned = Assigned
EventKind-priority_set = Priority set
EventKind-approved = Approved
EventKind-rejected = Rejected
EventKind-documents_requested = Documents requested
EventKind-documents_received = Documents received
EventKind-document_accepted = Document accepted
EventKind-document_rejected = Document rejected
EventKind-note = Internal note
EventKind-expired = Expired: no answer by the deadline
EventKind-withdrawn = Withdrawn by the customer
EventKind-cancelled = Line cancelled: provisioning ended it
EventKind-provisioning_failed = Provisioning failed
EventKind-order_reissued = Cancellation order re-issued
EventKind-billing_matched = Billing now knows this line: its contract facts are filled in
EventKind-reopened = Reopened
EventKind-documents_removed = Documents removed under the retention policy
EventKind-legal_hold_placed = Legal hold placed
EventKind-legal_hold_lifted = Legal hold lifted

ActorKind-agent = Agent
ActorKind-customer = Customer
ActorKind-system = System

NoticeKind-received = Application received
NoticeKind-documents_requested = Documents requested
NoticeKind-approved = Cancellation approved
NoticeKind-rejected = Application rejected
NoticeKind-reminder = Reminder: documents due
NoticeKind-expired = Closed: no documents by the deadline
NoticeKind-withdrawn = Withdrawn at the customer's request
NoticeKind-cancelled = Line cancelled

NoticeChannel-email = e-mail
NoticeChannel-sms = SMS

NoticeStatus-pending = waiting to be sent
NoticeStatus-sent = sent
NoticeStatus-failed = failed
NoticeStatus-no_gateway = not sent (no gateway)
NoticeStatus-superseded = not sent (no longer needed)

OrderStatus-waiting = waiting for its effective date
OrderStatus-due = due: waiting for provisioning
OrderStatus-sent = sent to provisioning
OrderStatus-acknowledged = acknowledged by provisioning
OrderStatus-done = done: the line has ended
OrderStatus-failed = provisioning failed
OrderStatus-withdrawn = withdrawn (the case was reopened)

CancelReason-switching_operator = Switching operator
CancelReason-no_longer_needed = No longer needed
CancelReason-moving_abroad = Moving abroad
CancelReason-cost = Cost
CancelReason-service_quality = Service quality
CancelReason-other = Other

Settlement-refund = Refund to a bank account
Settlement-transfer = Transfer to another number
Settlement-forfeit = Forfeit

Channel-web = Web
Channel-hotline = Hotline
Channel-service_point = Service point

LineType-prepaid = Prepaid
LineType-postpaid = Postpaid

ContactChannel-email = E-mail
ContactChannel-sms = SMS

RejectReason-identity_not_verified = Identity not verified
RejectReason-not_account_holder = Applicant is not the account holder
RejectReason-outstanding_debt = Outstanding debt
RejectReason-duplicate_request = Duplicate request
RejectReason-suspected_fraud = Suspected fraud
RejectReason-other = Other

SettlementStatus-pending = waiting for the line to end
SettlementStatus-due = due: to be exported to finance
SettlementStatus-exported = exported to finance
SettlementStatus-paid = paid
SettlementStatus-not_owed = nothing to refund
SettlementStatus-withdrawn = withdrawn (the case was reopened)

State-submitted = Submitted
State-in_review = In review
State-awaiting_documents = Awaiting documents
State-approved = Approved
State-rejected = Rejected
State-cancelled = Cancelled
State-expired = Expired
State-withdrawn = Withdrawn

AgeBucket-under-1 = Under 1 day
AgeBucket-1-3 = 1–3 days
AgeBucket-3-7 = 3–7 days
AgeBucket-7-14 = 7–14 days
AgeBucket-over-14 = Over 14 days

Role-agent = agent
Role-supervisor = supervisor
