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
