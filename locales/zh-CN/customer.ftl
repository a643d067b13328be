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
