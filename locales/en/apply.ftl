# The application form (/apply).
apply-title = Apply to cancel a line
apply-heading = Cancel a SIM or data card
apply-intro = Fill in this form to ask us to cancel your line. It takes about five minutes. You need your identity card (KTP) as a photo (JPEG or PNG) or a PDF.
apply-correct = Please correct { $count ->
        [one] { $count } thing
       *[other] { $count } things
    } below.
apply-files-dropped = For your security, files are not kept when the form has errors: please choose your files again.
apply-choose = Choose…
apply-you = You
apply-name = Full name (as on your identity card)
apply-name-hint = Letters and spaces, and . ' - where your name has them.
apply-nik = Identity card number (NIK, 16 digits)
apply-line = The line to cancel
apply-msisdn = Phone number of the line
apply-account = Account number (on your bill or contract)
apply-line-type = Type of line
apply-reach = How we reach you
apply-email = E-mail address
apply-sms = Phone number for SMS (optional)
apply-outcome-by = Tell me the outcome by
apply-request = Your request
apply-reason = Why are you cancelling?
apply-reason-text = In your own words (required for “Other”)
apply-end-from = End the line from
apply-balance = Your remaining balance
apply-settlement = What should happen to it?
apply-refund-bank = For a refund: bank name
apply-refund-account = For a refund: bank account number
apply-transfer = For a transfer: our number to receive it
apply-documents = Documents
apply-documents-hint = JPEG, PNG or PDF, up to { $mib } MiB each, { $files } files at most.
apply-identity-card = Identity card (required)
apply-proof-of-ownership = Proof of ownership (optional)
apply-authorisation-letter = Authorisation letter, if you apply for someone else
apply-bank-account-proof = Bank account proof, for a refund (optional)
apply-terms = Terms
apply-consent = I am the account holder (or authorised by them) and agree that the line ends on the date above; an early-termination fee may apply if the minimum term has not ended.
apply-send = Send application

# Choices on the form.
line-type-prepaid = Prepaid
line-type-postpaid = Postpaid
contact-email = E-mail
contact-sms = SMS
reason-switching_operator = Switching operator
reason-no_longer_needed = No longer needed
reason-moving_abroad = Moving abroad
reason-cost = Cost
reason-service_quality = Service quality
reason-other = Other
settlement-refund = Refund to a bank account
settlement-transfer = Transfer to another number
settlement-forfeit = Forfeit
