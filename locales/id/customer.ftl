# The customer's pages: the frame.
customer-site-name = Berhenti berlangganan
customer-nav-label = Pelanggan
customer-nav-apply = Ajukan
customer-nav-status = Cek pengajuan Anda

# After applying (/apply/received).
received-title = Pengajuan diterima
received-heading = Pengajuan Anda sudah kami terima
received-reference-is = Nomor referensi Anda
received-keep-it = Simpan nomor ini: dengan nomor referensi dan nomor telepon yang diajukan, Anda dapat mengecek pengajuan kapan saja.
received-check-link = Cek pengajuan Anda
received-next = Langkah selanjutnya
received-confirm = Kami mengirim konfirmasi penerimaan melalui e-mail atau SMS, sesuai pilihan Anda.
received-sla = Petugas kami memeriksa dokumen dan kontrak Anda, biasanya dalam { $hours ->
       *[other] { $hours } jam
    }.
received-then = Jika ada yang kurang, kami mengirimkan tautan aman untuk mengunggahnya; jika tidak, kami memberi tahu keputusan kami beserta tanggal nomor Anda berhenti aktif.

# Following an application (/status) and withdrawing it.
status-title = Cek pengajuan Anda
status-application = Pengajuan
status-applied-on = Diajukan pada
status-ends-from = Nomor berhenti mulai
status-as-asked = (sesuai permintaan Anda)
status-last-change = Perubahan terakhir
status-withdraw-button = Batalkan pengajuan ini…
status-intro = Masukkan nomor referensi dari konfirmasi kami (contoh: CX-7K3M-Q9TD) dan nomor telepon yang diajukan.
status-reference = Nomor referensi
status-phone = Nomor telepon yang diajukan
status-check = Cek
status-no-match = Kami tidak menemukan pengajuan dengan nomor referensi dan nomor telepon tersebut. Periksa keduanya, lalu coba lagi.
status-decided = Pengajuan ini tidak dapat dibatalkan lagi karena keputusan sudah dibuat. Tidak ada yang diubah.
status-withdrawn = Pengajuan Anda sudah dibatalkan. Nomor Anda tetap aktif seperti biasa, dan kami mengirimkan konfirmasinya kepada Anda.
withdraw-title = Batalkan pengajuan
withdraw-heading = Batalkan pengajuan Anda?
withdraw-explain = Jika dibatalkan, kami berhenti memproses pengajuan ini dan nomor Anda tidak diberhentikan: nomor tetap aktif seperti biasa. Tautan unggah dokumen yang pernah kami kirim juga tidak berlaku lagi. Pembatalan tidak dapat diurungkan, tetapi Anda dapat mengajukan kembali kapan saja.
withdraw-confirm = Ya, batalkan pengajuan saya
withdraw-keep = Tidak, lanjutkan pengajuan saya

# An upload link that cannot take documents.
link-check-status = Cek pengajuan Anda
link-unknown-title = Tautan ini tidak dapat digunakan
link-unknown = Pastikan Anda membuka tautan dari pesan kami secara utuh. Jika masih tidak berhasil, cek status pengajuan Anda: di sana tertulis apa yang kami perlukan.
link-used-title = Tautan ini sudah digunakan
link-used = Dokumen Anda sudah kami terima melalui tautan ini pada { $when }. Terima kasih, petugas kami akan memeriksanya.
link-expired-title = Tautan ini sudah kedaluwarsa
link-expired = Tautan ini tidak dapat digunakan lagi. Cek status pengajuan Anda untuk mengetahui perkembangannya.

# Answering a document request (/upload/<token>).
upload-title = Kirim dokumen yang kami minta
upload-application = Pengajuan { $reference }. Tautan ini berlaku sampai { $deadline } dan hanya dapat digunakan sekali.
upload-nothing-saved = Belum ada yang tersimpan: mohon pilih kembali berkas Anda.
upload-hint = JPEG, PNG, atau PDF, maksimal { $mib } MiB per berkas.
upload-send = Kirim dokumen
upload-only-requested = Melalui tautan ini hanya dapat dikirim dokumen yang kami minta.
document-kind-identity_card = KTP
document-kind-proof_of_ownership = Bukti kepemilikan
document-kind-authorisation_letter = Surat kuasa
document-kind-bank_account_proof = Bukti rekening bank
document-kind-other = Dokumen lain

# Where an application stands (/status), and what happens next.
status-documents-received = Dokumen yang Anda kirim sudah kami terima
status-documents-received-next = Petugas kami akan memeriksanya; keputusan kami akan kami sampaikan kepada Anda.
status-submitted = Diterima, menunggu diproses petugas
status-wait = Untuk saat ini Anda tidak perlu melakukan apa pun: keputusan kami akan kami sampaikan kepada Anda.
status-in-review = Petugas kami sedang memeriksa pengajuan Anda
status-awaiting = Kami memerlukan dokumen tambahan dari Anda
status-awaiting-next-by = Unggah { $kinds } paling lambat { $deadline } melalui tautan aman yang kami kirimkan. Tanpa dokumen tersebut, pengajuan akan ditutup.
status-awaiting-next = Unggah { $kinds } melalui tautan aman yang kami kirimkan. Tanpa dokumen tersebut, pengajuan akan ditutup.
status-approved-on = Disetujui: nomor Anda berhenti pada { $date }
status-approved = Disetujui
status-approved-next = Anda tidak perlu melakukan apa pun: nomor berhenti pada tanggal tersebut dan sisa saldo Anda diselesaikan sesuai pilihan Anda.
status-cancelled-on = Nomor Anda sudah berhenti pada { $date }
status-cancelled = Nomor Anda sudah berhenti
status-nothing-to-do = Anda tidak perlu melakukan apa pun.
status-rejected-for = Tidak disetujui: { $reason }
status-rejected = Tidak disetujui
status-rejected-next = Alasannya kami jelaskan dalam pesan kepada Anda. Anda dapat mengajukan kembali.
status-expired = Ditutup: dokumen yang kami minta tidak diterima tepat waktu
status-expired-next = Jika Anda masih ingin menghentikan nomor ini, silakan ajukan kembali.
status-withdrawn-headline = Dibatalkan atas permintaan Anda
reject-reason-identity_not_verified = identitas tidak dapat diverifikasi
reject-reason-not_account_holder = pemohon bukan pemilik nomor
reject-reason-outstanding_debt = masih ada tunggakan
reject-reason-duplicate_request = pengajuan ganda
reject-reason-suspected_fraud = dugaan penipuan
reject-reason-other = alasan lain
# Kinds of document inside a sentence ("Upload identity card, bank account proof by …").
document-in-sentence-identity_card = KTP
document-in-sentence-proof_of_ownership = bukti kepemilikan
document-in-sentence-authorisation_letter = surat kuasa
document-in-sentence-bank_account_proof = bukti rekening bank
document-in-sentence-other = dokumen lain
