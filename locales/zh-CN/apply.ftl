# The application form (/apply).
apply-title = 申请注销号码
apply-heading = 注销 SIM 卡或数据卡
apply-intro = 填写此表格，申请注销您的号码，大约需要五分钟。请准备好您的身份证（KTP）照片（JPEG 或 PNG）或 PDF 文件。
apply-correct = 请更正下面的 { $count ->
       *[other] { $count } 处
    }问题。
apply-files-dropped = 为了您的安全，表格有错误时不会保留已选文件：请重新选择文件。
apply-choose = 请选择…
apply-you = 您的信息
apply-name = 姓名（与身份证一致）
apply-name-hint = 可使用字母和空格，如姓名中含有 . ' - 也可使用。
apply-nik = 身份证号码（NIK，16 位数字）
apply-line = 要注销的号码
apply-msisdn = 手机号码
apply-account = 账户号码（见账单或合同）
apply-line-type = 号码类型
apply-reach = 联系方式
apply-email = 电子邮箱
apply-sms = 接收短信的手机号码（选填）
apply-outcome-by = 审核结果通知方式
apply-request = 您的申请
apply-reason = 注销原因
apply-reason-text = 请具体说明（选择“其他”时必填）
apply-end-from = 号码停用日期
apply-balance = 剩余余额
apply-settlement = 余额如何处理？
apply-refund-bank = 退款：银行名称
apply-refund-account = 退款：银行账号
apply-transfer = 转入：接收余额的本公司号码
apply-documents = 文件
apply-documents-hint = 支持 JPEG、PNG 或 PDF，每个文件不超过 { $mib } MiB，最多 { $files } 个文件。
apply-identity-card = 身份证（必填）
apply-proof-of-ownership = 所有权证明（选填）
apply-authorisation-letter = 授权书（代他人申请时提供）
apply-bank-account-proof = 银行账户证明（退款时提供，选填）
apply-terms = 条款
apply-consent = 本人是号码所有人（或已获所有人授权），同意号码于上述日期停用；如最短合约期未满，可能需支付提前解约费。
apply-send = 提交申请

# Choices on the form.
line-type-prepaid = 预付费
line-type-postpaid = 后付费
contact-email = 电子邮件
contact-sms = 短信
reason-switching_operator = 转到其他运营商
reason-no_longer_needed = 不再需要
reason-moving_abroad = 移居国外
reason-cost = 费用
reason-service_quality = 服务质量
reason-other = 其他
settlement-refund = 退回银行账户
settlement-transfer = 转入其他号码
settlement-forfeit = 放弃余额
