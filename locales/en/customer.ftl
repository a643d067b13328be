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
