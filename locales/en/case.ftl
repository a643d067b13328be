# Why the desk refuses an action on a case (case page, bulk, API).
refusal-not-in-this-state = A case that is { $state } cannot be { $action }.
refusal-assigned-to-another = The case is assigned to another agent.
refusal-already-yours = The case is already assigned to you.
refusal-supervisor-only = Only a supervisor may do this.
refusal-identity-not-accepted = The identity document has not been accepted yet.
refusal-not-for-agents = This step is not taken by an agent.
refusal-not-under-review = Documents are checked while the case is in review, and this case is { $state }.
refusal-not-in-billing = Billing does not know this line under this account, so its fee and balance are not known: it cannot be approved. Reject it, or ask for proof of ownership.
refusal-fee-not-confirmed = The early-termination fee applies: confirm that it will be charged.
refusal-same-priority = The case is already at this priority.
refusal-closed = The case is closed.
refusal-order-with-provisioning = The cancellation order is with provisioning, which has not reported a result.
refusal-order-not-due = Provisioning has not been sent this case's order yet.
refusal-no-failed-order = No cancellation order of this case has failed.
refusal-choose-active-agent = Choose an active agent to assign the case to.
action-request-documents = sent a document request
action-documents-received = given new documents
action-complete = completed
action-provisioning-failed = marked as failed by provisioning
action-reissue-order = given a new cancellation order
action-assign = assigned
action-claim = claimed
action-approve = approved
action-reject = rejected
action-set-priority = given a priority
action-review = reviewed
action-note = annotated
action-expire = expired
action-withdraw = withdrawn
action-reopen = reopened

# What is wrong with a decision's form, said at the field.
field-write = Write { $what }.
field-what-message = a message to the customer
field-what-request = what the customer must send and why
field-what-note = the note
field-too-long = Keep it under { $limit } characters.
field-date = Enter a date as YYYY-MM-DD.
field-effective-past = The effective date cannot be in the past.
field-effective-too-far = The effective date must be within a year.
field-confirm-settlement = Confirm how the remaining balance is settled.
field-reason = Choose a reason.
field-kinds-unknown = Choose documents from the list.
field-kinds-missing = Choose at least one document the customer must send.
field-deadline-past = The deadline must be after today.
field-deadline-too-far = The deadline must be within { $days } days.
field-verdict = Choose accept or reject.
field-verdict-reason = Say why the document is rejected (the customer is told).
field-hold-reason = Say why (recorded in the history).
field-hold-change = Choose to place or to lift the hold.
field-agent = Choose an agent.
field-reopen-reason = Say why the decision is reopened.

# After an action on a case (flash), and what the conflict page keeps of the form.
case-check-fields = Check the highlighted fields. Nothing was changed.
nothing-changed = Nothing was changed.
done-claimed = You claimed the case.
done-assigned = The case was assigned.
done-note = Note added.
done-approved = The cancellation is approved. The customer will be told.
done-rejected = The application is rejected. The customer will be told.
done-documents-requested = Documents requested. The customer will get an upload link.
done-document-accepted = Document accepted.
done-document-rejected = Document rejected.
done-reopened = The case is reopened and back in review.
done-reissued = A new cancellation order is issued to provisioning.
typed-effective-date = Effective date
typed-message = Message to the customer
typed-reason = Reason

# Someone acted first (the conflict page).
conflict-title = Changed by someone else
conflict-heading = This case changed after you opened it
conflict-intro = Nothing was changed by your form. Here is what happened to { $reference } since you loaded it:
conflict-out-of-date = The page you sent the form from was out of date.
conflict-typed = What you typed
conflict-typed-kept = Kept here so you can copy it.
conflict-open = Open the case as it is now

# The case's history (timeline).
event-assigned-to = Assigned to { $agent }
event-assigned-to-someone = Assigned to an agent
event-document-accepted = { $kind } accepted
event-document-rejected = { $kind } rejected
event-priority-high = Priority set to high
event-priority-normal = Priority set to normal
notice-status-failed = failed after { $attempts ->
        [one] 1 attempt
       *[other] { $attempts } attempts
    }
notice-status-failed-because = failed after { $attempts ->
        [one] 1 attempt
       *[other] { $attempts } attempts
    }: { $error }
notice-status-retrying = waiting to be sent (attempt { $attempts } failed, will retry)
text-as-is = { $text }
timeline-notice-actor = Notice to the customer
timeline-notice-title = Notice: { $kind }
timeline-someone = Someone
timeline-approved-fee = Effective { $day }; early-termination fee confirmed
timeline-approved-no-fee = Effective { $day }; no early-termination fee
timeline-documents-requested = { $kinds } — by { $day }
timeline-bulk = part of a bulk action
timeline-reason = Reason: { $reason }
timeline-by = By { $channel }

# The case page (/cases/{reference}).
size-mb = { $size } MB
size-kb = { $size } KB
size-bytes = { $size } bytes
document-by-an-agent = an agent
document-by-the-customer = the customer
document-verdict-by = by { $agent } on { $at }
document-uploaded = { $at } by { $by }
document-same-file = The same file is attached to { $count ->
        [one] 1 case
        [10] 10 or more cases
       *[other] { $count } cases
    } of other customers.
retention-on-hold = On legal hold: the documents are kept while the hold lasts.
retention-due = The case is final: its documents will be removed on { $day } under the retention policy ({ $days } days).
case-claim-to-decide = Claim the case to review and decide it.
case-refund-account = { $bank } — account { $account }
case-forfeit = The customer gives up the remaining balance.
case-due-paused = paused while awaiting documents
case-overdue-by = overdue by { $time }
case-due-in = due in { $time } ({ $at })
case-decision-effective = Cancellation effective { $day }
case-decision-rejected = Rejected: { $reason }
case-decision-waiting = Waiting for: { $kinds } (deadline { $deadline })
case-not-in-billing = Not known (not in billing)
case-none = none
case-unassigned = Unassigned
case-nik-invalid = (invalid)
case-billing-not-found = Billing does not know this line: check the number with the customer
case-billing-account-mismatch = The account number does not match billing's for this line: is the applicant the account holder?
hold-placed = by { $agent } on { $at }
hold-a-supervisor = a supervisor
case-meta = { $name } · via { $channel } · received { $received } ({ $age } ago) · { $due }
case-assigned-to = assigned to
case-documents-received = Documents received
case-fee-flag = Minimum term not ended: early-termination fee { $fee }
case-balance-flag = Large remaining balance: { $balance }
case-customer = Customer
case-name = Name
case-nik = Identity number
case-email = E-mail
case-phone = Phone
case-prefers = Prefers
case-language = Language
case-line = Line and contract
case-number = Number
case-account = Account
case-type = Type
case-activated = Activated
case-min-term-ends = Minimum term ends
case-fee = Early-termination fee
case-fee-applies = applies
case-balance = Remaining balance
case-bound = Bound devices and services
case-request = Request
case-settlement = Balance settlement
case-requested-date = Requested effective date
case-consent = Consent to the terms
case-consent-given = Given
case-consent-not-given = Not given
case-documents = Documents
case-no-documents = No documents yet.
case-legal-hold = Legal hold
case-removed = Removed
document-image-alt = { $kind } sent by the customer
document-removed-on = File removed on { $day } under the retention policy.
case-open = Open
case-download = Download
case-verdict-reason = Reason (required to reject)
case-accept = Accept
case-hold-lift-why = Why lift the legal hold (recorded in the history)
case-hold-place-why = Legal hold: why keep the documents past the retention period (recorded in the history)
case-hold-lift = Lift the legal hold
case-hold-place = Place a legal hold
case-claim = Claim this case
case-order = Cancellation order
case-earlier-orders = Earlier orders
case-reissue = Re-issue the order
case-reopen-heading = Reopen the decision
case-why-recorded = Why (recorded in the history)
case-reopen = Reopen
case-decision = Decision
case-approve-summary = Approve the cancellation
case-accept-identity-first = Accept the identity document first.
case-cannot-approve-billing = Billing does not know this line under this account, so its fee and balance are not known: it cannot be approved.
case-confirm-fee = The early-termination fee of { $fee } is charged (minimum term ends { $day })
case-confirm-settlement = Balance of { $balance }: { $settlement } ({ $detail })
case-reject-summary = Reject the application
case-request-summary = Request more documents
case-notes = Internal notes
case-add-note = Add a note (agents only)
case-add-note-button = Add note
case-history = History
hold-placed-done = Legal hold placed: the documents are kept while it holds.
hold-lifted-done = Legal hold lifted: the retention policy applies again.
hold-already = The case is already on legal hold. Nothing was changed.
hold-none = The case has no legal hold. Nothing was changed.

# The cancellation order and the refund (case page).
order-waiting = Waiting for the effective date ({ $day }): the order goes to provisioning then.
order-retrying = Waiting for provisioning: delivery failed { $attempts } time(s), retrying.
order-retrying-at = Waiting for provisioning: delivery failed { $attempts } time(s), retrying at { $at }.
order-being-sent = Waiting for provisioning: the order is being sent.
order-pull = Waiting for provisioning: no webhook is configured, so provisioning must pull this order (GET /api/v1/orders?status=due).
order-sent = Sent to provisioning: waiting for its result.
order-acknowledged = Provisioning acknowledged the order: waiting for its result.
order-done = Done: provisioning ended the line.
order-failed = Provisioning failed: { $reason }
order-failed-no-reason = Provisioning failed: no reason given
order-withdrawn = The order was withdrawn when the case was reopened.
order-row-order = Order
order-row-written = Written
order-row-due = Due
order-row-attempts = Delivery attempts
order-row-last-error = Last delivery error
order-row-sent = Sent
order-row-acknowledged = Acknowledged
order-row-transfer = Balance moves to
order-row-line-ended = Line ended
order-row-final-balance = Final balance
order-row-recorded = Result recorded
refund-to = { $bank } ending { $last4 }
refund-pending = Refund to { $to }: waiting for the line to end (billing's balance now: { $amount }).
refund-due = Refund of { $amount } to { $to }: due since { $at }, not yet exported to finance.
refund-exported = Refund of { $amount } to { $to }: exported to finance { $at }, not yet paid.
refund-paid = Refund of { $amount } to { $to }: paid on { $at } (reference { $reference }).
refund-not-owed = Refund: nothing to refund, the line ended with no balance left.
refund-withdrawn = Refund withdrawn: the case was reopened.

# A removed document (/cases/{reference}/documents/{id}).
removed-title = Document removed
removed-heading = This document was removed
removed-text = Its file was removed on { $day } under the retention policy: identity documents are kept only for a set time after a case is final.
removed-still = Its kind, size, SHA-256 fingerprint and verdict are still on the case, so its history and the fraud signals still work.
removed-back = Back to the case { $reference }
