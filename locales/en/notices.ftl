# Notices to customers (e-mail subject and text; an SMS carries the same text). Each body is
# paragraphs; the upload link, the list of documents and the agent's own message are placed by
# the code between them.
notice-greeting = Dear { $name },
notice-greeting-anonymous = Dear customer,
notice-reference = Your reference: { $reference }
notice-quote-reference = Please quote it whenever you contact us.
notice-signature = Customer care
notice-date-unknown = the date we gave you
notice-apply-again = You are welcome to apply again at any time.

notice-received-subject = We received your cancellation request { $reference }
notice-received-body = We have received your request to cancel your line. We will review it and write to you when we have decided, or if we need anything more from you.

notice-documents_requested-subject = Documents needed for your cancellation request { $reference }
notice-documents_requested-intro = To go on with your request to cancel your line, we need the following from you:
notice-documents_requested-upload = Please upload them by { $deadline } through this secure link. It works only for your request and only until that date:
notice-documents-closing = If we do not receive them by then, your request will be closed.

notice-reminder-subject = Reminder: documents needed by { $deadline } ({ $reference })
notice-reminder-intro = We are still waiting for the following to go on with your request to cancel your line:
notice-reminder-upload = Please upload them by { $deadline } through this secure link:

notice-approved-subject = Your cancellation request { $reference } is approved
notice-approved-body = Your request to cancel your line is approved. The line will be cancelled on { $date }.
notice-approved-fee = An early-termination fee of { $fee } applies, because the minimum term of your contract ends after that date.

notice-rejected-subject = Your cancellation request { $reference } is not approved
notice-rejected-body = We cannot approve your request to cancel your line.
notice-rejected-why-identity_not_verified = Why: we could not verify your identity.
notice-rejected-why-not_account_holder = Why: the request was not made by the holder of the account.
notice-rejected-why-outstanding_debt = Why: there is an unpaid amount on the account.
notice-rejected-why-duplicate_request = Why: we already have another request to cancel this line.
notice-rejected-why-suspected_fraud = Why: we could not confirm that the request is genuine.
notice-rejected-why-other = Why: please see the explanation below.
notice-rejected-stays-active = Your line stays active.

notice-expired-subject = Your cancellation request { $reference } is closed
notice-expired-body = We did not receive the documents we asked for by { $deadline }, so your request to cancel your line is now closed. Nothing has changed on your line.

notice-withdrawn-subject = Your cancellation request { $reference } is withdrawn
notice-withdrawn-body = As you asked, we have withdrawn your request to cancel your line. Nothing has changed on your line: it stays active as before, and any link we sent you to upload documents no longer works.
notice-withdrawn-not-you = If you did not ask for this, contact us.

notice-cancelled-subject = Your line is cancelled ({ $reference })
notice-cancelled-body = Your line has been cancelled, as approved, with effect from { $date }. It no longer makes or receives calls, messages or data, and nothing more will be charged on it.
notice-cancelled-keep = Keep this message for your records. Thank you for having been our customer.

# What happens to the remaining balance (approval and cancellation notices).
notice-settlement-none = There is no remaining balance to settle.
notice-settlement-refund = Your remaining balance of { $amount } will be refunded to your account at { $bank } ending { $last4 }.
notice-settlement-refund-unknown = Any remaining balance will be refunded to your account at { $bank } ending { $last4 }.
notice-settlement-transfer = Your remaining balance of { $amount } will be transferred to the number ending { $last4 }.
notice-settlement-transfer-unknown = Any remaining balance will be transferred to the number ending { $last4 }.
notice-settlement-forfeit = As you chose, your remaining balance of { $amount } will not be paid out.
notice-settlement-forfeit-unknown = As you chose, any remaining balance will not be paid out.
