# The names of the domain's closed sets (states, reasons, kinds...), as pages show them.
# Ids are `<Type>-<stored value>` (see `domain::labels`); the English ones equal the code's labels.

BulkKind-claim = Ambil
BulkKind-assign = Tugaskan ke agen
BulkKind-priority = Atur prioritas
BulkKind-request_documents = Minta dokumen
BulkKind-reject = Tolak
BulkKind-approve = Setujui
BulkKind-note = Tambahkan catatan
BulkKind-apply_suggestion = Terapkan saran sistem

ItemOutcome-will_change = akan diubah
ItemOutcome-skip = akan dilewati
ItemOutcome-changed = diubah
ItemOutcome-skipped = dilewati
ItemOutcome-failed = gagal

DocumentKind-identity_card = KTP
DocumentKind-proof_of_ownership = Bukti kepemilikan
DocumentKind-authorisation_letter = Surat kuasa
DocumentKind-bank_account_proof = Bukti rekening bank
DocumentKind-other = Dokumen lain

Verdict-pending = Belum diperiksa
Verdict-accepted = Diterima
Verdict-rejected = Ditolak

EventKind-submitted = Pengajuan diterima
EventKind-claimed = Diambil
EventKind-assigned = Ditugaskan
EventKind-priority_set = Prioritas diatur
EventKind-approved = Disetujui
EventKind-rejected = Ditolak
EventKind-documents_requested = Dokumen diminta
EventKind-documents_received = Dokumen masuk
EventKind-document_accepted = Dokumen diterima
EventKind-document_rejected = Dokumen ditolak
EventKind-note = Catatan internal
EventKind-expired = Kedaluwarsa: tidak ada jawaban sampai batas waktu
EventKind-withdrawn = Dibatalkan oleh pelanggan
EventKind-cancelled = Nomor diberhentikan: sistem provisioning telah menghentikannya
EventKind-provisioning_failed = Provisioning gagal
EventKind-order_reissued = Perintah penghentian diterbitkan ulang
EventKind-billing_matched = Sistem billing kini mengenali nomor ini: data kontraknya telah diisi
EventKind-reopened = Dibuka kembali
EventKind-documents_removed = Dokumen dihapus sesuai kebijakan retensi
EventKind-legal_hold_placed = Penahanan hukum (legal hold) diterapkan
EventKind-legal_hold_lifted = Penahanan hukum (legal hold) dicabut

ActorKind-agent = Agen
ActorKind-customer = Pelanggan
ActorKind-system = Sistem

NoticeKind-received = Pengajuan diterima
NoticeKind-documents_requested = Dokumen diminta
NoticeKind-approved = Penghentian disetujui
NoticeKind-rejected = Pengajuan ditolak
NoticeKind-reminder = Pengingat: batas waktu pengiriman dokumen
NoticeKind-expired = Ditutup: tidak ada dokumen sampai batas waktu
NoticeKind-withdrawn = Dibatalkan atas permintaan pelanggan
NoticeKind-cancelled = Nomor diberhentikan

NoticeChannel-email = e-mail
NoticeChannel-sms = SMS

NoticeStatus-pending = menunggu dikirim
NoticeStatus-sent = terkirim
NoticeStatus-failed = gagal
NoticeStatus-no_gateway = tidak dikirim (tidak ada gateway)
NoticeStatus-superseded = tidak dikirim (tidak diperlukan lagi)

OrderStatus-waiting = menunggu tanggal berlaku
OrderStatus-due = jatuh tempo: menunggu sistem provisioning
OrderStatus-sent = dikirim ke sistem provisioning
OrderStatus-acknowledged = dikonfirmasi oleh sistem provisioning
OrderStatus-done = selesai: nomor telah berhenti
OrderStatus-failed = provisioning gagal
OrderStatus-withdrawn = ditarik (pengajuan dibuka kembali)

CancelReason-switching_operator = Pindah ke operator lain
CancelReason-no_longer_needed = Tidak diperlukan lagi
CancelReason-moving_abroad = Pindah ke luar negeri
CancelReason-cost = Biaya
CancelReason-service_quality = Kualitas layanan
CancelReason-other = Lainnya

Settlement-refund = Dikembalikan ke rekening bank
Settlement-transfer = Dipindahkan ke nomor lain
Settlement-forfeit = Direlakan (hangus)

Channel-web = Web
Channel-hotline = Hotline
Channel-service_point = Gerai layanan

LineType-prepaid = Prabayar
LineType-postpaid = Pascabayar

ContactChannel-email = E-mail
ContactChannel-sms = SMS

RejectReason-identity_not_verified = Identitas tidak dapat diverifikasi
RejectReason-not_account_holder = Pemohon bukan pemilik nomor
RejectReason-outstanding_debt = Masih ada tunggakan
RejectReason-duplicate_request = Pengajuan ganda
RejectReason-suspected_fraud = Dugaan penipuan
RejectReason-other = Alasan lain

SettlementStatus-pending = menunggu nomor berhenti
SettlementStatus-due = jatuh tempo: perlu diekspor ke bagian keuangan
SettlementStatus-exported = diekspor ke bagian keuangan
SettlementStatus-paid = dibayar
SettlementStatus-not_owed = tidak ada yang perlu dikembalikan
SettlementStatus-withdrawn = ditarik (pengajuan dibuka kembali)

State-submitted = Diajukan
State-in_review = Sedang ditinjau
State-awaiting_documents = Menunggu dokumen
State-approved = Disetujui
State-rejected = Ditolak
State-cancelled = Diberhentikan
State-expired = Kedaluwarsa
State-withdrawn = Dibatalkan

AgeBucket-under-1 = Kurang dari 1 hari
AgeBucket-1-3 = 1–3 hari
AgeBucket-3-7 = 3–7 hari
AgeBucket-7-14 = 7–14 hari
AgeBucket-over-14 = Lebih dari 14 hari

Role-agent = agen
Role-supervisor = supervisor
