# The customer's pages: the frame.
customer-site-name = 注销号码
customer-nav-label = 客户
customer-nav-apply = 提交申请
customer-nav-status = 查询申请

# After applying (/apply/received).
received-title = 申请已收到
received-heading = 我们已收到您的申请
received-reference-is = 您的申请编号是
received-keep-it = 请妥善保存：凭此编号和所申请号码，您可以随时查询申请进度。
received-check-link = 查询申请
received-next = 接下来
received-confirm = 我们会按照您选择的方式，通过电子邮件或短信确认收到申请。
received-sla = 客服人员会审核您的证件和合同，通常在 { $hours ->
       *[other] { $hours } 小时
    }内完成。
received-then = 如有材料缺失，我们会发送安全链接供您上传；否则我们会告知审核结果以及号码停用的日期。

# Following an application (/status) and withdrawing it.
status-title = 查询申请
status-application = 申请
status-applied-on = 申请日期
status-ends-from = 号码停用日期
status-as-asked = （按您的要求）
status-last-change = 最近更新
status-withdraw-button = 撤回此申请…
status-intro = 请输入确认信息中的申请编号（例如 CX-7K3M-Q9TD）以及所申请的手机号码。
status-reference = 申请编号
status-phone = 所申请的手机号码
status-check = 查询
status-no-match = 未找到与该申请编号和手机号码相符的申请。请检查两者后重试。
status-decided = 此申请已有审核结果，无法撤回。未作任何更改。
status-withdrawn = 您的申请已撤回。您的号码保持不变，我们将向您发送确认。
withdraw-title = 撤回申请
withdraw-heading = 确定撤回申请吗？
withdraw-explain = 撤回后，我们将停止审核，您的号码不会被注销，保持原样。我们此前发送的文件上传链接也将失效。撤回后无法恢复，但您可以随时重新申请。
withdraw-confirm = 是的，撤回我的申请
withdraw-keep = 不，保留我的申请

# An upload link that cannot take documents.
link-check-status = 查询申请
link-unknown-title = 此链接无效
link-unknown = 请确认您打开的是我们消息中的完整链接。如果仍然无效，请查询申请状态，其中会说明我们需要什么。
link-used-title = 此链接已使用过
link-used = 我们已于 { $when } 通过此链接收到您的文件。谢谢，客服人员会进行审核。
link-expired-title = 此链接已过期
link-expired = 此链接已无法使用。请查询申请状态了解进展。

# Answering a document request (/upload/<token>).
upload-title = 提交我们要求的文件
upload-application = 申请 { $reference }。此链接在 { $deadline } 之前有效，仅可使用一次。
upload-nothing-saved = 未保存任何内容：请重新选择文件。
upload-hint = 支持 JPEG、PNG 或 PDF，每个文件不超过 { $mib } MiB。
upload-send = 提交文件
upload-only-requested = 此链接只能提交我们要求的文件。
document-kind-identity_card = 身份证
document-kind-proof_of_ownership = 所有权证明
document-kind-authorisation_letter = 授权书
document-kind-bank_account_proof = 银行账户证明
document-kind-other = 其他文件

# Where an application stands (/status), and what happens next.
status-documents-received = 我们已收到您提交的文件
status-documents-received-next = 客服人员会进行审核，并将结果通知您。
status-submitted = 已收到，等待客服处理
status-wait = 目前您无需进行任何操作，我们会将结果通知您。
status-in-review = 客服人员正在审核您的申请
status-awaiting = 我们需要您补充文件
status-awaiting-next-by = 请在 { $deadline } 之前通过我们发送的安全链接上传{ $kinds }。逾期未上传，申请将被关闭。
status-awaiting-next = 请通过我们发送的安全链接上传{ $kinds }。未上传文件，申请将被关闭。
status-approved-on = 已批准：您的号码将于 { $date } 停用
status-approved = 已批准
status-approved-next = 您无需进行任何操作：号码将于该日期停用，余额将按您的选择处理。
status-cancelled-on = 您的号码已于 { $date } 注销
status-cancelled = 您的号码已注销
status-nothing-to-do = 您无需进行任何操作。
status-rejected-for = 未获批准：{ $reason }
status-rejected = 未获批准
status-rejected-next = 我们发给您的消息中说明了原因。您可以重新申请。
status-expired = 已关闭：未在期限内收到我们要求的文件
status-expired-next = 如果您仍想注销此号码，请重新申请。
status-withdrawn-headline = 已按您的要求撤回
reject-reason-identity_not_verified = 身份无法核实
reject-reason-not_account_holder = 申请人不是号码所有人
reject-reason-outstanding_debt = 尚有欠费
reject-reason-duplicate_request = 重复申请
reject-reason-suspected_fraud = 涉嫌欺诈
reject-reason-other = 其他原因
# Kinds of document inside a sentence ("Upload identity card, bank account proof by …").
document-in-sentence-identity_card = 身份证
document-in-sentence-proof_of_ownership = 所有权证明
document-in-sentence-authorisation_letter = 授权书
document-in-sentence-bank_account_proof = 银行账户证明
document-in-sentence-other = 其他文件
