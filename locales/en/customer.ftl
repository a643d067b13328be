# The customer's pages: the frame.
customer-site-name = Cancel a line
customer-nav-label = Customer
customer-nav-apply = Apply
customer-nav-status = Check your application

# After applying (/apply/received).
received-title = Application received
received-heading = We have your application
received-reference-is = Your reference is
received-keep-it = Keep it: with it and the phone number of the line you can check your application at any time.
received-check-link = Check your application
received-next = What happens next
received-confirm = We confirm receipt by e-mail or SMS, as you chose.
received-sla = An agent checks your documents and your contract, usually within { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }.
received-then = If something is missing we send you a secure link to upload it; otherwise we tell you our decision and the date the line ends.

# Following an application (/status) and withdrawing it.
status-title = Check your application
status-application = Application
status-applied-on = Applied on
status-ends-from = Line to end from
status-as-asked = (as you asked)
status-last-change = Last change
status-withdraw-button = Withdraw this application…
status-intro = Enter the reference from your confirmation (it looks like CX-7K3M-Q9TD) and the phone number of the line.
status-reference = Reference
status-phone = Phone number of the line
status-check = Check
status-no-match = We could not find an application with this reference and phone number. Check both and try again.
status-decided = This application can no longer be withdrawn: a decision has been made. Nothing was changed.
status-withdrawn = Your application is withdrawn. Your line stays as it is, and we are sending you a confirmation.
withdraw-title = Withdraw your application
withdraw-heading = Withdraw your application?
withdraw-explain = If you withdraw it, we stop reviewing it and your line is not cancelled: it stays as it is. Any link we sent you to upload documents stops working. This cannot be undone, but you can apply again at any time.
withdraw-confirm = Yes, withdraw my application
withdraw-keep = No, keep my application

# An upload link that cannot take documents.
link-check-status = Check your application
link-unknown-title = This link does not work
link-unknown = Check that you opened the whole link from our message. If it still does not work, check your application's status: it tells you what we need.
link-used-title = This link was already used
link-used = We received your documents through it on { $when }. Thank you: an agent will check them.
link-expired-title = This link has expired
link-expired = It can no longer be used. Check your application's status to see where it stands.

# Answering a document request (/upload/<token>).
upload-title = Send the documents we asked for
upload-application = Application { $reference }. This link works until { $deadline }, once.
upload-nothing-saved = Nothing was saved: please choose your files again.
upload-hint = JPEG, PNG or PDF, up to { $mib } MiB each.
upload-send = Send documents
upload-only-requested = Only the documents we asked for can be sent through this link.
document-kind-identity_card = Identity card
document-kind-proof_of_ownership = Proof of ownership
document-kind-authorisation_letter = Authorisation letter
document-kind-bank_account_proof = Bank account proof
document-kind-other = Other document

# Where an application stands (/status), and what happens next.
status-documents-received = We received the documents you sent
status-documents-received-next = An agent will check them; we will tell you our decision.
status-submitted = Received, waiting for an agent
status-wait = Nothing to do for now: we will tell you our decision.
status-in-review = An agent is reviewing your application
status-awaiting = We need more documents from you
status-awaiting-next-by = Upload { $kinds } by { $deadline } through the secure link we sent you. Without them the application closes.
status-awaiting-next = Upload { $kinds } through the secure link we sent you. Without them the application closes.
status-approved-on = Approved: your line ends on { $date }
status-approved = Approved
status-approved-next = Nothing to do: the line ends on that date and your balance is settled as you chose.
status-cancelled-on = Your line was cancelled on { $date }
status-cancelled = Your line was cancelled
status-nothing-to-do = Nothing to do.
status-rejected-for = Not approved: { $reason }
status-rejected = Not approved
status-rejected-next = Our message to you explains why. You may apply again.
status-expired = Closed: the documents we asked for did not arrive in time
status-expired-next = If you still want to cancel the line, please apply again.
status-withdrawn-headline = Withdrawn at your request
reject-reason-identity_not_verified = identity not verified
reject-reason-not_account_holder = the applicant is not the account holder
reject-reason-outstanding_debt = outstanding debt
reject-reason-duplicate_request = duplicate request
reject-reason-suspected_fraud = suspected fraud
reject-reason-other = other reasons
# Kinds of document inside a sentence ("Upload identity card, bank account proof by …").
document-in-sentence-identity_card = identity card
document-in-sentence-proof_of_ownership = proof of ownership
document-in-sentence-authorisation_letter = authorisation letter
document-in-sentence-bank_account_proof = bank account proof
document-in-sentence-other = another document
