# Notices to customers (e-mail subject and text; an SMS carries the same text). Each body is
# paragraphs; the upload link, the list of documents and the agent's own message are placed by
# the code between them.
notice-greeting = Yth. Bapak/Ibu { $name },
notice-greeting-anonymous = Yth. Pelanggan,
notice-reference = Nomor referensi Anda: { $reference }
notice-quote-reference = Mohon sebutkan nomor ini setiap kali Anda menghubungi kami.
notice-signature = Layanan Pelanggan
notice-date-unknown = tanggal yang kami sampaikan
notice-apply-again = Anda dapat mengajukan kembali kapan saja.

notice-received-subject = Pengajuan berhenti berlangganan { $reference } sudah kami terima
notice-received-body = Pengajuan Anda untuk memberhentikan nomor sudah kami terima. Kami akan memeriksanya dan memberi kabar setelah ada keputusan, atau jika kami memerlukan sesuatu lagi dari Anda.

notice-documents_requested-subject = Dokumen diperlukan untuk pengajuan { $reference }
notice-documents_requested-intro = Untuk melanjutkan pengajuan berhenti berlangganan Anda, kami memerlukan dokumen berikut:
notice-documents_requested-upload = Mohon unggah paling lambat { $deadline } melalui tautan aman berikut. Tautan ini hanya berlaku untuk pengajuan Anda dan hanya sampai tanggal tersebut:
notice-documents-closing = Jika dokumen belum kami terima sampai tanggal tersebut, pengajuan Anda akan ditutup.

notice-reminder-subject = Pengingat: dokumen diperlukan paling lambat { $deadline } ({ $reference })
notice-reminder-intro = Kami masih menunggu dokumen berikut untuk melanjutkan pengajuan berhenti berlangganan Anda:
notice-reminder-upload = Mohon unggah paling lambat { $deadline } melalui tautan aman berikut:

notice-approved-subject = Pengajuan berhenti berlangganan { $reference } disetujui
notice-approved-body = Pengajuan Anda untuk memberhentikan nomor telah disetujui. Nomor Anda akan diberhentikan pada { $date }.
notice-approved-fee = Dikenakan biaya penghentian dini sebesar { $fee }, karena masa minimum kontrak Anda berakhir setelah tanggal tersebut.

notice-rejected-subject = Pengajuan berhenti berlangganan { $reference } tidak disetujui
notice-rejected-body = Mohon maaf, pengajuan Anda untuk memberhentikan nomor tidak dapat kami setujui.
notice-rejected-why-identity_not_verified = Alasan: identitas Anda tidak dapat kami verifikasi.
notice-rejected-why-not_account_holder = Alasan: pengajuan tidak dilakukan oleh pemilik akun.
notice-rejected-why-outstanding_debt = Alasan: masih ada tagihan yang belum dibayar pada akun ini.
notice-rejected-why-duplicate_request = Alasan: kami sudah menerima pengajuan lain untuk memberhentikan nomor ini.
notice-rejected-why-suspected_fraud = Alasan: kami tidak dapat memastikan bahwa pengajuan ini sah.
notice-rejected-why-other = Alasan: silakan baca penjelasan di bawah ini.
notice-rejected-stays-active = Nomor Anda tetap aktif.

notice-expired-subject = Pengajuan berhenti berlangganan { $reference } ditutup
notice-expired-body = Dokumen yang kami minta belum kami terima sampai { $deadline }, sehingga pengajuan Anda untuk memberhentikan nomor kini ditutup. Tidak ada perubahan pada nomor Anda.

notice-withdrawn-subject = Pengajuan berhenti berlangganan { $reference } telah dibatalkan
notice-withdrawn-body = Sesuai permintaan Anda, pengajuan untuk memberhentikan nomor telah kami batalkan. Tidak ada perubahan pada nomor Anda: nomor tetap aktif seperti biasa, dan tautan unggah dokumen yang pernah kami kirim tidak berlaku lagi.
notice-withdrawn-not-you = Jika Anda tidak merasa meminta pembatalan ini, silakan hubungi kami.

notice-cancelled-subject = Nomor Anda telah diberhentikan ({ $reference })
notice-cancelled-body = Sesuai persetujuan, nomor Anda telah diberhentikan terhitung sejak { $date }. Nomor ini tidak lagi dapat melakukan atau menerima panggilan, pesan, maupun data, dan tidak akan dikenakan biaya apa pun lagi.
notice-cancelled-keep = Simpan pesan ini sebagai arsip Anda. Terima kasih telah menjadi pelanggan kami.

# What happens to the remaining balance (approval and cancellation notices).
notice-settlement-none = Tidak ada sisa saldo yang perlu diselesaikan.
notice-settlement-refund = Sisa saldo Anda sebesar { $amount } akan dikembalikan ke rekening { $bank } Anda yang berakhiran { $last4 }.
notice-settlement-refund-unknown = Sisa saldo, jika ada, akan dikembalikan ke rekening { $bank } Anda yang berakhiran { $last4 }.
notice-settlement-transfer = Sisa saldo Anda sebesar { $amount } akan dipindahkan ke nomor yang berakhiran { $last4 }.
notice-settlement-transfer-unknown = Sisa saldo, jika ada, akan dipindahkan ke nomor yang berakhiran { $last4 }.
notice-settlement-forfeit = Sesuai pilihan Anda, sisa saldo sebesar { $amount } tidak akan dicairkan.
notice-settlement-forfeit-unknown = Sesuai pilihan Anda, sisa saldo, jika ada, tidak akan dicairkan.
