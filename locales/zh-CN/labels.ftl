# The names of the domain's closed sets (states, reasons, kinds...), as pages show them.
# Ids are `<Type>-<stored value>` (see `domain::labels`); the English ones equal the code's labels.

BulkKind-claim = 认领
BulkKind-assign = 分配给客服专员
BulkKind-priority = 设置优先级
BulkKind-request_documents = 要求补充文件
BulkKind-reject = 拒绝
BulkKind-approve = 批准
BulkKind-note = 添加备注
BulkKind-apply_suggestion = 采用系统建议

ItemOutcome-will_change = 将更改
ItemOutcome-skip = 将跳过
ItemOutcome-changed = 已更改
ItemOutcome-skipped = 已跳过
ItemOutcome-failed = 失败

DocumentKind-identity_card = 身份证
DocumentKind-proof_of_ownership = 所有权证明
DocumentKind-authorisation_letter = 授权书
DocumentKind-bank_account_proof = 银行账户证明
DocumentKind-other = 其他文件

Verdict-pending = 尚未审核
Verdict-accepted = 已通过
Verdict-rejected = 已拒绝

EventKind-submitted = 已收到申请
EventKind-claimed = 已认领
EventKind-assigned = 已分配
EventKind-priority_set = 已设置优先级
EventKind-approved = 已批准
EventKind-rejected = 已拒绝
EventKind-documents_requested = 已要求补充文件
EventKind-documents_received = 已收到文件
EventKind-document_accepted = 文件已通过
EventKind-document_rejected = 文件已拒绝
EventKind-note = 内部备注
EventKind-expired = 已过期：截止日期前未答复
EventKind-withdrawn = 客户已撤回
EventKind-cancelled = 号码已注销：开通系统已完成销号
EventKind-provisioning_failed = 开通系统处理失败
EventKind-order_reissued = 已重新下发注销指令
EventKind-billing_matched = 计费系统现已识别该号码：已填入合约信息
EventKind-reopened = 已重新打开
EventKind-documents_removed = 文件已按保留政策删除
EventKind-legal_hold_placed = 已设置法律保全
EventKind-legal_hold_lifted = 已解除法律保全

ActorKind-agent = 客服专员
ActorKind-customer = 客户
ActorKind-system = 系统

NoticeKind-received = 已收到申请
NoticeKind-documents_requested = 要求补充文件
NoticeKind-approved = 销号已批准
NoticeKind-rejected = 申请未获批准
NoticeKind-reminder = 提醒：请在截止日期前提交文件
NoticeKind-expired = 已关闭：截止日期前未提交文件
NoticeKind-withdrawn = 应客户要求撤回
NoticeKind-cancelled = 号码已注销

NoticeChannel-email = 电子邮件
NoticeChannel-sms = 短信

NoticeStatus-pending = 等待发送
NoticeStatus-sent = 已发送
NoticeStatus-failed = 发送失败
NoticeStatus-no_gateway = 未发送（无网关）
NoticeStatus-superseded = 未发送（已不再需要）

OrderStatus-waiting = 等待生效日期
OrderStatus-due = 已到期：等待开通系统处理
OrderStatus-sent = 已发送给开通系统
OrderStatus-acknowledged = 开通系统已确认
OrderStatus-done = 已完成：号码已注销
OrderStatus-failed = 开通系统处理失败
OrderStatus-withdrawn = 已撤回（申请已重新打开）

CancelReason-switching_operator = 转到其他运营商
CancelReason-no_longer_needed = 不再需要
CancelReason-moving_abroad = 移居国外
CancelReason-cost = 费用
CancelReason-service_quality = 服务质量
CancelReason-other = 其他

Settlement-refund = 退回银行账户
Settlement-transfer = 转入其他号码
Settlement-forfeit = 放弃余额

Channel-web = 网页
Channel-hotline = 客服热线
Channel-service_point = 营业厅

LineType-prepaid = 预付费
LineType-postpaid = 后付费

ContactChannel-email = 电子邮件
ContactChannel-sms = 短信

RejectReason-identity_not_verified = 身份无法核实
RejectReason-not_account_holder = 申请人不是号码所有人
RejectReason-outstanding_debt = 尚有欠费
RejectReason-duplicate_request = 重复申请
RejectReason-suspected_fraud = 涉嫌欺诈
RejectReason-other = 其他原因

SettlementStatus-pending = 等待号码注销
SettlementStatus-due = 到期应付：待导出给财务
SettlementStatus-exported = 已导出给财务
SettlementStatus-paid = 已支付
SettlementStatus-not_owed = 无需退款
SettlementStatus-withdrawn = 已撤回（申请已重新打开）

State-submitted = 已提交
State-in_review = 审核中
State-awaiting_documents = 待补充文件
State-approved = 已批准
State-rejected = 已拒绝
State-cancelled = 已注销
State-expired = 已过期
State-withdrawn = 已撤回

AgeBucket-under-1 = 不到 1 天
AgeBucket-1-3 = 1–3 天
AgeBucket-3-7 = 3–7 天
AgeBucket-7-14 = 7–14 天
AgeBucket-over-14 = 超过 14 天

Role-agent = 客服专员
Role-supervisor = 主管
