# The application form (/apply).
apply-title = Ajukan berhenti berlangganan
apply-heading = Berhenti berlangganan kartu SIM atau kartu data
apply-intro = Isi formulir ini untuk meminta kami menghentikan nomor Anda. Pengisian memakan waktu sekitar lima menit. Siapkan KTP Anda dalam bentuk foto (JPEG atau PNG) atau PDF.
apply-correct = Mohon perbaiki { $count ->
       *[other] { $count } isian
    } di bawah ini.
apply-files-dropped = Demi keamanan Anda, berkas tidak disimpan jika formulir masih ada kesalahan: mohon pilih kembali berkas Anda.
apply-choose = Pilih…
apply-you = Data diri
apply-name = Nama lengkap (sesuai KTP)
apply-name-hint = Huruf dan spasi, serta tanda . ' - jika ada pada nama Anda.
apply-nik = Nomor KTP (NIK, 16 digit)
apply-line = Nomor yang ingin dihentikan
apply-msisdn = Nomor telepon
apply-account = Nomor pelanggan (tertera pada tagihan atau kontrak)
apply-line-type = Jenis layanan
apply-reach = Cara kami menghubungi Anda
apply-email = Alamat e-mail
apply-sms = Nomor telepon untuk SMS (opsional)
apply-outcome-by = Kabari hasilnya melalui
apply-request = Permintaan Anda
apply-reason = Mengapa Anda berhenti berlangganan?
apply-reason-text = Jelaskan dengan kata-kata Anda sendiri (wajib jika memilih “Lainnya”)
apply-end-from = Nomor berhenti mulai tanggal
apply-balance = Sisa saldo Anda
apply-settlement = Sisa saldo ingin diapakan?
apply-refund-bank = Untuk pengembalian dana: nama bank
apply-refund-account = Untuk pengembalian dana: nomor rekening
apply-transfer = Untuk pemindahan saldo: nomor kami yang akan menerima
apply-documents = Dokumen
apply-documents-hint = JPEG, PNG, atau PDF, maksimal { $mib } MiB per berkas dan paling banyak { $files } berkas.
apply-identity-card = KTP (wajib)
apply-proof-of-ownership = Bukti kepemilikan (opsional)
apply-authorisation-letter = Surat kuasa, jika Anda mengajukan atas nama orang lain
apply-bank-account-proof = Bukti rekening bank, untuk pengembalian dana (opsional)
apply-terms = Ketentuan
apply-consent = Saya adalah pemilik nomor (atau telah diberi kuasa olehnya) dan setuju nomor ini berhenti pada tanggal di atas; biaya penghentian dini dapat dikenakan jika masa kontrak minimum belum berakhir.
apply-send = Kirim pengajuan

# Choices on the form.
line-type-prepaid = Prabayar
line-type-postpaid = Pascabayar
contact-email = E-mail
contact-sms = SMS
reason-switching_operator = Pindah ke operator lain
reason-no_longer_needed = Tidak diperlukan lagi
reason-moving_abroad = Pindah ke luar negeri
reason-cost = Biaya
reason-service_quality = Kualitas layanan
reason-other = Lainnya
settlement-refund = Dikembalikan ke rekening bank
settlement-transfer = Dipindahkan ke nomor lain
settlement-forfeit = Direlakan (hangus)
