# Bulk triage (/bulk): why a selected case is left as it is.
skip-changed = changed since you selected it
skip-awaiting-documents = awaiting documents
skip-final = already { $state }
skip-not-claimed = not claimed yet
skip-state = { $state }
skip-identity-not-accepted = identity document not accepted
skip-assigned-to-another = assigned to another agent
skip-already-yours = already assigned to you
skip-fee-not-confirmed = early-termination fee applies and was not confirmed
skip-not-in-billing = line not in billing under this account
skip-same-priority = already at this priority
skip-closed = the case is closed
skip-not-allowed = not allowed for your role
skip-with-provisioning = provisioning has its cancellation order
skip-suggestion-differs = the desk suggests something else for it

# Choosing the action and the preview.
bulk-selection-unreadable = The selection could not be read.
bulk-select-some = Select at least one case (or choose all cases matching the filter).
bulk-selected-cases = { $count ->
        [one] 1 selected case
       *[other] { $count } selected cases
    }
bulk-filter-search = search
bulk-filter-part = { $filter } “{ $value }”
bulk-all-needing-action = All cases that need action
bulk-all-matching = All cases matching { $filters }
bulk-more-than = more than { $count }
bulk-choose-action = Choose an action.
bulk-choose-agent = Choose an agent.
bulk-choose-priority = Choose high or normal.
bulk-choose-active-agent = Choose an active agent.
bulk-none-match = No cases match this selection any more. Nothing was changed.
bulk-too-many = More than { $max } cases match: narrow the filter. Nothing was changed.
bulk-applied = The bulk action was applied. The report lists every case.

# Saved messages for document requests (see `domain::templates`).
template-unreadable_id-label = Identity card unreadable
template-unreadable_id-text = The photo of your identity card cannot be read. Please upload a sharp photo of the whole front side of the card, without glare.
template-ownership-label = Proof of ownership needed
template-ownership-text = Please upload proof that the line is yours, such as a recent invoice or the card holder of the SIM card showing the number.
template-representative-label = Representative: authorisation needed
template-representative-text = You applied on behalf of the account holder. Please upload a letter of authorisation signed by the holder and a photo of the holder's identity card.
template-refund_bank-label = Bank account proof for the refund
template-refund_bank-text = To refund your remaining balance we need proof of the bank account: a photo of the first page of your bank book or a recent bank statement in your name.
bulk-title = Bulk action
bulk-back = Back to the queue
bulk-matching-now = { $count ->
        [one] 1 case right now.
       *[other] { $count } cases right now.
    }
bulk-intro = Choose what to do. Nothing changes yet: the next page shows, case by case, what will change and what will be skipped, and you confirm there.
bulk-claim = Claim
bulk-claim-hint = Take the selected cases that are not assigned to someone else.
bulk-preview-claim = Preview claim
bulk-assign = Assign
bulk-agent = Agent
choose-placeholder = Choose…
bulk-preview-assign = Preview assignment
bulk-priority = Priority
priority-high = High
priority-normal = Normal
bulk-preview-priority = Preview priority
bulk-request = Request documents
documents-needed = Documents needed
bulk-template = Start from a saved message
bulk-template-none = None: write it below
bulk-request-message = Message to each customer (left empty: the saved message; no documents ticked: the ones it asks for)
label-deadline = Deadline
bulk-preview-request = Preview request
bulk-reject = Reject
label-reason = Reason
bulk-message-each = Message to each customer
bulk-preview-reject = Preview rejection
bulk-approve = Approve
bulk-approve-hint = Only cases in review whose identity document is accepted are approved.
effective-date = Effective date
bulk-confirm-fees = Charge the early-termination fee where the minimum term has not ended (otherwise those cases are skipped)
bulk-preview-approve = Preview approval
bulk-note = Add a note
internal-note = Internal note
bulk-preview-note = Preview note
bulk-preview-heading = Preview: { $action }
bulk-report-heading = Report: { $action }
bulk-prepared = prepared { $at }
bulk-applied-at = applied { $at }
bulk-col-outcome = Outcome
bulk-col-why = Why
bulk-col-cases = Cases
bulk-col-state-now = State now
bulk-interrupted = This bulk action is being applied, or was interrupted. Cases not reached yet are unchanged. Confirm again to finish it.
bulk-finish = Finish applying
bulk-apply-to = Apply to { $count ->
        [one] 1 case
       *[other] { $count } cases
    }
bulk-nothing-would-change = No case would change.
bulk-go-back = Go back without changing anything
bulk-will-skip = Cases that will be skipped
bulk-every-case = Every case
bulk-more = More cases →
bulk-suggestion-hint = Each selected case whose suggestion is the one chosen gets it applied, as its case page's key would (claim, accept the card the desk read, decide); the others are skipped. Preview first.
bulk-suggestion-which = Only cases whose suggestion is
bulk-preview-suggestion = Preview applying the suggestion
bulk-choose-suggestion = Choose which suggestion to apply.
