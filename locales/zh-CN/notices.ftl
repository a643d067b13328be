# Notices to customers (e-mail subject and text; an SMS carries the same text). Each body is
# paragraphs; the upload link, the list of documents and the agent's own message are placed by
# the code between them.
notice-greeting = 尊敬的{ $name }：
notice-greeting-anonymous = 尊敬的客户：
notice-reference = 您的申请编号：{ $reference }
notice-quote-reference = 联系我们时请提供此编号。
notice-signature = 客户服务部
notice-date-unknown = 我们告知您的日期
notice-apply-again = 您可以随时重新申请。

notice-received-subject = 我们已收到您的销号申请 { $reference }
notice-received-body = 我们已收到您注销号码的申请。我们会进行审核，作出决定后或需要您补充材料时会通知您。

notice-documents_requested-subject = 您的销号申请 { $reference } 需要补充文件
notice-documents_requested-intro = 为继续处理您的销号申请，我们需要您提供以下文件：
notice-documents_requested-upload = 请在 { $deadline } 之前通过以下安全链接上传。该链接仅适用于您的申请，并仅在该日期之前有效：
notice-documents-closing = 如果届时我们仍未收到，您的申请将被关闭。

notice-reminder-subject = 提醒：请在 { $deadline } 之前提交文件（{ $reference }）
notice-reminder-intro = 为继续处理您的销号申请，我们仍在等待以下文件：
notice-reminder-upload = 请在 { $deadline } 之前通过以下安全链接上传：

notice-approved-subject = 您的销号申请 { $reference } 已获批准
notice-approved-body = 您注销号码的申请已获批准。该号码将于 { $date } 注销。
notice-approved-fee = 由于您的合约最短期限在该日期之后才结束，将收取提前解约费 { $fee }。

notice-rejected-subject = 您的销号申请 { $reference } 未获批准
notice-rejected-body = 很抱歉，我们无法批准您注销号码的申请。
notice-rejected-why-identity_not_verified = 原因：我们无法核实您的身份。
notice-rejected-why-not_account_holder = 原因：申请并非由账户持有人提出。
notice-rejected-why-outstanding_debt = 原因：该账户尚有未付款项。
notice-rejected-why-duplicate_request = 原因：我们已收到注销该号码的另一份申请。
notice-rejected-why-suspected_fraud = 原因：我们无法确认该申请的真实性。
notice-rejected-why-other = 原因：请参阅下方说明。
notice-rejected-stays-active = 您的号码继续有效。

notice-expired-subject = 您的销号申请 { $reference } 已关闭
notice-expired-body = 截至 { $deadline }，我们仍未收到所需文件，因此您的销号申请现已关闭。您的号码没有任何变化。

notice-withdrawn-subject = 您的销号申请 { $reference } 已撤回
notice-withdrawn-body = 按照您的要求，我们已撤回您的销号申请。您的号码没有任何变化，仍照常使用；我们此前发送的文件上传链接也已失效。
notice-withdrawn-not-you = 如果这不是您本人的操作，请与我们联系。

notice-cancelled-subject = 您的号码已注销（{ $reference }）
notice-cancelled-body = 按照已批准的申请，您的号码已自 { $date } 起注销。该号码不再能拨打或接听电话、收发短信或使用数据，也不会再产生任何费用。
notice-cancelled-keep = 请保留此消息以备查。感谢您一直以来的支持。

# What happens to the remaining balance (approval and cancellation notices).
notice-settlement-none = 没有需要结算的剩余余额。
notice-settlement-refund = 您的剩余余额 { $amount } 将退还至您在 { $bank } 尾号为 { $last4 } 的账户。
notice-settlement-refund-unknown = 如有剩余余额，将退还至您在 { $bank } 尾号为 { $last4 } 的账户。
notice-settlement-transfer = 您的剩余余额 { $amount } 将转入尾号为 { $last4 } 的号码。
notice-settlement-transfer-unknown = 如有剩余余额，将转入尾号为 { $last4 } 的号码。
notice-settlement-forfeit = 按照您的选择，剩余余额 { $amount } 将不予退还。
notice-settlement-forfeit-unknown = 按照您的选择，如有剩余余额，将不予退还。
