<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>CitizenScreen</name>
        <message>
            <source>Surat</source>
            <translation>Letters</translation>
        </message>
        <message>
            <source>Pengaduan</source>
            <translation>Complaints</translation>
        </message>
        <message>
            <source>Cek Status</source>
            <translation>Check Status</translation>
        </message>
    </context>
    <context>
        <name>LetterFlow</name>
        <message>
            <source>Surat apa yang Anda perlukan?</source>
            <translation>Which letter do you need?</translation>
        </message>
        <message>
            <source>Sentuh salah satu. Tidak perlu akun atau PIN.</source>
            <translation>Touch one. No account or PIN needed.</translation>
        </message>
        <message>
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Periksa kembali data Anda</source>
            <translation>Check your details</translation>
        </message>
        <message>
            <source>Bila ada yang salah, sentuh Ubah. Bila sudah benar, sentuh Kirim Permohonan.</source>
            <translation>If anything is wrong, touch Change. If it is right, touch Send Request.</translation>
        </message>
        <message>
            <source>Ubah</source>
            <translation>Change</translation>
        </message>
        <message>
            <source>Kirim Permohonan</source>
            <translation>Send Request</translation>
        </message>
        <message>
            <source>Permohonan Anda sudah kami terima</source>
            <translation>We have received your request</translation>
        </message>
        <message>
            <source>Kode pelacakan Anda:</source>
            <translation>Your tracking code:</translation>
        </message>
        <message>
            <source>Bawa saat mengambil surat:</source>
            <translation>Bring when you collect the letter:</translation>
        </message>
        <message>
            <source>Tanda terima sedang dicetak. Simpan untuk cek status di kiosk ini.</source>
            <translation>Your receipt is printing. Keep it to check the status at this kiosk.</translation>
        </message>
        <message>
            <source>Selesai</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Sentuh Ubah untuk memperbaiki, atau kirim bila sudah sesuai KTP.</source>
            <translation>Touch Change to correct it, or send it if it matches your ID card.</translation>
        </message>
    </context>
    <context>
        <name>ComplaintFlow</name>
        <message>
            <source>Dikirim tanpa nama dan tanpa nomor HP: jawaban hanya bisa dilihat dengan kode pelacakan.</source>
            <translation>Sent without a name or phone number: the answer can only be seen with the tracking code.</translation>
        </message>
        <message>
            <source>Pengaduan: tentang apa?</source>
            <translation>Complaint: what is it about?</translation>
        </message>
        <message>
            <source>Sentuh salah satu. Pengaduan diteruskan ke Pemerintah Kota.</source>
            <translation>Touch one. Complaints go to the City Government.</translation>
        </message>
        <message>
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Periksa pengaduan Anda</source>
            <translation>Check your complaint</translation>
        </message>
        <message>
            <source>Kirim tanpa nama</source>
            <translation>Send without my name</translation>
        </message>
        <message>
            <source>Ubah</source>
            <translation>Change</translation>
        </message>
        <message>
            <source>Kirim Pengaduan</source>
            <translation>Send Complaint</translation>
        </message>
        <message>
            <source>Pengaduan Anda sudah kami terima</source>
            <translation>We have received your complaint</translation>
        </message>
        <message>
            <source>Kode pelacakan Anda:</source>
            <translation>Your tracking code:</translation>
        </message>
        <message>
            <source>Tanda terima sedang dicetak. Cek jawaban kota di kiosk ini dengan kode pada tanda terima.</source>
            <translation>Your receipt is printing. Check the city's answer at this kiosk with the code on it.</translation>
        </message>
        <message>
            <source>Selesai</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Kota dapat menghubungi Anda di nomor yang Anda isi.</source>
            <translation>The city can reach you at the number you gave.</translation>
        </message>
        <message>
            <source>Tanpa nomor HP: jawaban dapat dilihat dengan kode pelacakan.</source>
            <translation>No phone number: the answer can be seen with the tracking code.</translation>
        </message>
        <message>
            <source>Lokasi: %1</source>
            <translation>Location: %1</translation>
        </message>
    </context>
    <context>
        <name>StatusCheck</name>
        <message>
            <source>Tunjukkan QR tanda terima ke kamera, atau ketik kodenya.</source>
            <translation>Hold the receipt's QR up to the camera, or type its code.</translation>
        </message>
        <message>
            <source>Perlu perbaikan: {reason}. Silakan datang ke loket dengan tanda terima ini.</source>
            <translation>A correction is needed: {reason}. Please come to the counter with this receipt.</translation>
        </message>
        <message>
            <source>Cek status surat atau pengaduan</source>
            <translation>Check a letter or complaint</translation>
        </message>
        <message>
            <source>Ketik kode pada tanda terima Anda (huruf dan angka).</source>
            <translation>Type the code on your receipt (letters and digits).</translation>
        </message>
        <message>
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Cek</source>
            <translation>Check</translation>
        </message>
        <message>
            <source>Selesai</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Cek kode lain</source>
            <translation>Check another code</translation>
        </message>
        <message>
            <source>Ketik kode pada tanda terima, misalnya S-7K3M9QX.</source>
            <translation>Type the code on the receipt, for example S-7K3M9QX.</translation>
        </message>
        <message>
            <source>diperbarui %1</source>
            <translation>updated %1</translation>
        </message>
        <message>
            <source>Silakan tanyakan ke petugas.</source>
            <translation>Please ask the staff.</translation>
        </message>
        <message>
            <source>Permohonan sudah diterima dan menunggu diperiksa petugas.</source>
            <translation>Your request was received and waits for the staff to check it.</translation>
        </message>
        <message>
            <source>Petugas sedang memeriksa permohonan Anda.</source>
            <translation>The staff are checking your request.</translation>
        </message>
        <message>
            <source>Surat sedang menunggu tanda tangan Lurah.</source>
            <translation>The letter is waiting for the Lurah's signature.</translation>
        </message>
        <message>
            <source>Siap diambil di loket {counter}, bawa {bring_id}.</source>
            <translation>Ready to collect at counter {counter}; bring {bring_id}.</translation>
        </message>
        <message>
            <source>Surat sudah diambil.</source>
            <translation>The letter has been collected.</translation>
        </message>
        <message>
            <source>Permohonan tidak dapat diproses: {reason}. Silakan tanyakan ke petugas.</source>
            <translation>The request cannot be processed: {reason}. Please ask the staff.</translation>
        </message>
        <message>
            <source>Permohonan dibatalkan: {reason}.</source>
            <translation>The request was cancelled: {reason}.</translation>
        </message>
        <message>
            <source>Pengaduan sudah diterima dan akan diteruskan ke Pemerintah Kota.</source>
            <translation>Your complaint was received and will go to the City Government.</translation>
        </message>
        <message>
            <source>Pengaduan sudah diteruskan ke Pemerintah Kota.</source>
            <translation>Your complaint has gone to the City Government.</translation>
        </message>
        <message>
            <source>Pengaduan sedang ditangani Pemerintah Kota.</source>
            <translation>The City Government is handling your complaint.</translation>
        </message>
        <message>
            <source>Pemerintah Kota sudah menjawab. Minta jawabannya di loket dengan tanda terima ini.</source>
            <translation>The City Government has answered. Ask for the answer at the counter with this receipt.</translation>
        </message>
        <message>
            <source>Pengaduan sudah selesai ditangani.</source>
            <translation>Your complaint has been dealt with.</translation>
        </message>
    </context>
    <context>
        <name>FormSteps</name>
        <message>
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Periksa</source>
            <translation>Review</translation>
        </message>
        <message>
            <source>Lanjut</source>
            <translation>Next</translation>
        </message>
        <message>
            <source>Langkah %1 dari %2</source>
            <translation>Step %1 of %2</translation>
        </message>
        <message>
            <source>boleh dikosongkan</source>
            <translation>may be left empty</translation>
        </message>
    </context>
    <context>
        <name>errors</name>
        <message>
            <source>Belum semua isian dan dokumen dicentang ({item}). Periksa semuanya, atau tolak dengan alasan.</source>
            <translation>Not every answer and document is ticked ({item}). Check them all, or reject with a reason.</translation>
        </message>
        <message>
            <source>Surat untuk permohonan ini belum diterbitkan. Setujui dulu.</source>
            <translation>The letter for this request has not been issued. Approve it first.</translation>
        </message>
        <message>
            <source>Surat ini tidak ditemukan di kantor ini.</source>
            <translation>This letter was not found at this office.</translation>
        </message>
        <message>
            <source>Surat tidak dapat dibuat (templat surat bermasalah). Silakan hubungi teknisi.</source>
            <translation>The letter cannot be made (its template has a problem). Please call the technician.</translation>
        </message>
        <message>
            <source>Nomor {number} tidak sedang menunggu hari ini. Periksa nomor pada tiket.</source>
            <translation>Number {number} is not waiting today. Check the number on the ticket.</translation>
        </message>
        <message>
            <source>NIK terdiri dari 16 angka. Periksa kembali KTP Anda.</source>
            <translation>A NIK has 16 digits. Check your ID card (KTP).</translation>
        </message>
        <message>
            <source>Enam angka pertama NIK bukan kode wilayah. Periksa kembali angka yang Anda ketik.</source>
            <translation>The first six digits of the NIK are not a region code. Check the digits you typed.</translation>
        </message>
        <message>
            <source>Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang benar. Periksa kembali angka yang Anda ketik.</source>
            <translation>Digits 7 to 12 of the NIK are not a real date of birth. Check the digits you typed.</translation>
        </message>
        <message>
            <source>Empat angka terakhir NIK tidak boleh 0000. Periksa kembali KTP Anda.</source>
            <translation>The last four digits of a NIK cannot be 0000. Check your ID card (KTP).</translation>
        </message>
        <message>
            <source>Nomor KK terdiri dari 16 angka. Periksa kembali Kartu Keluarga Anda.</source>
            <translation>A family card number has 16 digits. Check your family card (KK).</translation>
        </message>
        <message>
            <source>Enam angka pertama nomor KK bukan kode wilayah. Periksa kembali angka yang Anda ketik.</source>
            <translation>The first six digits of the family card number are not a region code. Check the digits you typed.</translation>
        </message>
        <message>
            <source>Angka ke-7 sampai ke-12 nomor KK bukan tanggal yang benar. Periksa kembali angka yang Anda ketik.</source>
            <translation>Digits 7 to 12 of the family card number are not a real date. Check the digits you typed.</translation>
        </message>
        <message>
            <source>Empat angka terakhir nomor KK tidak boleh 0000. Periksa kembali Kartu Keluarga Anda.</source>
            <translation>The last four digits of a family card number cannot be 0000. Check your family card (KK).</translation>
        </message>
        <message>
            <source>Kode kecamatan pada NIK tidak kami kenal. Bila angkanya sudah sesuai KTP, silakan lanjut.</source>
            <translation>We do not know the district code in this NIK. If it matches your ID card, please go on.</translation>
        </message>
        <message>
            <source>Kode kecamatan pada nomor KK tidak kami kenal. Bila angkanya sudah sesuai, silakan lanjut.</source>
            <translation>We do not know the district code in this family card number. If it is right, please go on.</translation>
        </message>
        <message>
            <source>Tanggal lahir pada NIK berbeda dengan yang Anda isi. Mohon tunjukkan KTP kepada petugas.</source>
            <translation>The date of birth in the NIK differs from the one you entered. Please show your ID card to the staff.</translation>
        </message>
        <message>
            <source>Jenis kelamin pada NIK berbeda dengan yang Anda pilih. Mohon tunjukkan KTP kepada petugas.</source>
            <translation>The sex in the NIK differs from the one you chose. Please show your ID card to the staff.</translation>
        </message>
        <message>
            <source>Bagian ini perlu diisi.</source>
            <translation>Please fill this in.</translation>
        </message>
        <message>
            <source>Isian terlalu panjang. Silakan persingkat.</source>
            <translation>This is too long. Please shorten it.</translation>
        </message>
        <message>
            <source>Silakan pilih salah satu.</source>
            <translation>Please choose one.</translation>
        </message>
        <message>
            <source>Tanggal tidak benar. Periksa hari, bulan dan tahun.</source>
            <translation>This is not a real date. Check the day, month and year.</translation>
        </message>
        <message>
            <source>Jam tidak benar. Ketik jam dan menit, misalnya 14 30.</source>
            <translation>This is not a real time. Type hours and minutes, for example 14 30.</translation>
        </message>
        <message>
            <source>Isi dengan angka.</source>
            <translation>Please use digits.</translation>
        </message>
        <message>
            <source>Nomor HP tidak benar. Ketik 9 sampai 13 angka, misalnya 0812 3456 7890.</source>
            <translation>This is not a phone number. Type 9 to 13 digits, for example 0812 3456 7890.</translation>
        </message>
        <message>
            <source>Ketik RT lalu RW, masing-masing tiga angka, misalnya 003 005.</source>
            <translation>Type the RT, then the RW, three digits each, for example 003 005.</translation>
        </message>
        <message>
            <source>Isian memuat huruf yang tidak dapat dipakai. Silakan ketik ulang.</source>
            <translation>This has characters that cannot be used. Please type it again.</translation>
        </message>
        <message>
            <source>Jenis surat ini tidak tersedia lagi. Silakan pilih yang lain.</source>
            <translation>This letter is no longer offered. Please choose another.</translation>
        </message>
        <message>
            <source>Itu bukan kode tanda terima. Kode seperti S-7K3M9QX atau P-7K3M9QX.</source>
            <translation>That is not a receipt code. Codes look like S-7K3M9QX or P-7K3M9QX.</translation>
        </message>
        <message>
            <source>Kode {code} tidak ditemukan di kantor ini. Periksa kembali kode pada tanda terima.</source>
            <translation>Code {code} was not found at this office. Check the code on the receipt.</translation>
        </message>
        <message>
            <source>Pengaduan tanpa nama tidak memakai nomor HP. Hapus nomornya, atau kirim dengan nama.</source>
            <translation>An anonymous complaint has no phone number. Remove the number, or send it with your name.</translation>
        </message>
    </context>
    <context>
        <name>CounterScreen</name>
        <message>
            <source>Permohonan</source>
            <translation>Requests</translation>
        </message>
    </context>
    <context>
        <name>RequestsPanel</name>
        <message>
            <source>Nomor antrian, mis. B-014</source>
            <translation>Queue number, e.g. B-014</translation>
        </message>
        <message>
            <source>Panggil</source>
            <translation>Call</translation>
        </message>
        <message numerus="yes">
            <source>%n hari</source>
            <translation>
                <numerusform>%n day</numerusform>
                <numerusform>%n days</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n jam</source>
            <translation>
                <numerusform>%n hour</numerusform>
                <numerusform>%n hours</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n menit</source>
            <translation>
                <numerusform>%n minute</numerusform>
                <numerusform>%n minutes</numerusform>
            </translation>
        </message>
        <message>
            <source>Alasan (wajib bila menolak atau meminta perbaikan)</source>
            <translation>Reason (required to reject or ask for a correction)</translation>
        </message>
        <message>
            <source>Minta perbaikan</source>
            <translation>Ask for a correction</translation>
        </message>
        <message>
            <source>Baru masuk</source>
            <translation>New</translation>
        </message>
        <message>
            <source>Centang setiap isian dan dokumen yang sudah diperiksa dulu.</source>
            <translation>Tick each answer and document you have checked first.</translation>
        </message>
        <message>
            <source>Dibatalkan</source>
            <translation>Cancelled</translation>
        </message>
        <message>
            <source>Ditolak</source>
            <translation>Rejected</translation>
        </message>
        <message>
            <source>Dokumen: %1</source>
            <translation>Document: %1</translation>
        </message>
        <message>
            <source>Kembali ke antrian</source>
            <translation>Back to the queue</translation>
        </message>
        <message>
            <source>Menunggu tanda tangan</source>
            <translation>Awaiting signature</translation>
        </message>
        <message>
            <source>Sudah diperiksa</source>
            <translation>Checked</translation>
        </message>
        <message>
            <source>Pilih permohonan di kiri.</source>
            <translation>Choose a request on the left.</translation>
        </message>
        <message>
            <source>Sedang diperiksa</source>
            <translation>Being checked</translation>
        </message>
        <message>
            <source>Setujui</source>
            <translation>Approve</translation>
        </message>
        <message>
            <source>Siap diambil</source>
            <translation>Ready for pickup</translation>
        </message>
        <message>
            <source>Sudah diambil</source>
            <translation>Collected</translation>
        </message>
        <message>
            <source>Tidak ada permohonan.</source>
            <translation>No requests.</translation>
        </message>
        <message>
            <source>Tolak</source>
            <translation>Reject</translation>
        </message>
        <message>
            <source>Tulis alasannya dulu; pemohon akan membacanya.</source>
            <translation>Write the reason first; the applicant will read it.</translation>
        </message>
    </context>
    <context>
        <name>AttendanceScreen</name>
        <message>
            <source>Bagus. Tengok pelan-pelan.</source>
            <translation>Good. Now turn your head slowly.</translation>
        </message>
        <message>
            <source>Gerakan kepala tidak terlihat; coba lagi: tunjukkan kartu, lalu tengok sesuai petunjuk.</source>
            <translation>No head movement was seen; try again: show your badge, then turn your head as asked.</translation>
        </message>
        <message>
            <source>Lihat lurus ke kamera, wajah di dalam bingkai.</source>
            <translation>Look straight at the camera, your face inside the frame.</translation>
        </message>
        <message>
            <source>Pemeriksaan wajah belum siap di perangkat ini. Hubungi teknisi.</source>
            <translation>The face check is not ready on this device. Contact the technician.</translation>
        </message>
        <message>
            <source>Sebentar, wajah diperiksa...</source>
            <translation>One moment, checking your face...</translation>
        </message>
        <message>
            <source>Tolong tengok ke kanan</source>
            <translation>Please turn your head to your right</translation>
        </message>
        <message>
            <source>Tolong tengok ke kiri</source>
            <translation>Please turn your head to your left</translation>
        </message>
        <message>
            <source>Wajah tidak cocok dengan kartu ini. Coba lagi menghadap kamera; bila tetap gagal, hubungi admin kantor.</source>
            <translation>The face does not match this badge. Try again facing the camera; if it still fails, contact the office admin.</translation>
        </message>
        <message>
            <source>Wajah tidak terlihat. Berdiri di depan kamera, lalu tunjukkan kartu lagi.</source>
            <translation>No face was seen. Stand in front of the camera, then show your badge again.</translation>
        </message>
        <message>
            <source>%1, %2 — %3 tercatat (%4).</source>
            <translation>%1, %2 — %3 recorded (%4).</translation>
        </message>
        <message>
            <source>%1, %2 — sudah tercatat %3.</source>
            <translation>%1, %2 — already recorded at %3.</translation>
        </message>
        <message>
            <source>Dibetulkan: %1 tercatat sebagai %2.</source>
            <translation>Corrected: %1 recorded as %2.</translation>
        </message>
        <message>
            <source>Jam perangkat belum dicocokkan: waktu dicatat bertanda tidak pasti. Hubungi teknisi.</source>
            <translation>The device clock is not confirmed: times are recorded as uncertain. Contact the technician.</translation>
        </message>
        <message>
            <source>Kamera belum dipasang di perangkat ini. Hubungi teknisi.</source>
            <translation>No camera is set up on this device. Contact the technician.</translation>
        </message>
        <message>
            <source>Kamera tidak terbaca. Periksa kabel kamera; perangkat mencoba lagi sendiri.</source>
            <translation>The camera cannot be read. Check its cable; the device keeps trying by itself.</translation>
        </message>
        <message>
            <source>Kartu ini belum dikenal perangkat. Minta admin menyinkronkan perangkat.</source>
            <translation>This device does not know this badge yet. Ask the admin to sync the device.</translation>
        </message>
        <message>
            <source>Kartu ini sudah dicabut. Minta kartu baru ke admin.</source>
            <translation>This badge was revoked. Ask the admin for a new one.</translation>
        </message>
        <message>
            <source>Kartu ini sudah kedaluwarsa. Minta kartu baru ke admin.</source>
            <translation>This badge has expired. Ask the admin for a new one.</translation>
        </message>
        <message>
            <source>Kartu ini tidak sah. Hubungi admin kantor.</source>
            <translation>This badge is not valid. Contact the office admin.</translation>
        </message>
        <message>
            <source>Kartu ini untuk kantor lain.</source>
            <translation>This badge is for another office.</translation>
        </message>
        <message>
            <source>Kartu tidak dapat dipakai. Hubungi admin kantor.</source>
            <translation>This badge cannot be used. Contact the office admin.</translation>
        </message>
        <message>
            <source>Pegawai ini tidak aktif di kantor ini. Hubungi admin.</source>
            <translation>This employee is not active at this office. Contact the admin.</translation>
        </message>
        <message>
            <source>QR ini bukan kartu pegawai. Tunjukkan kartu pegawai Anda.</source>
            <translation>This QR is not a staff badge. Show your staff badge.</translation>
        </message>
        <message>
            <source>Sebenarnya masuk</source>
            <translation>Actually arriving</translation>
        </message>
        <message>
            <source>Sebenarnya pulang</source>
            <translation>Actually leaving</translation>
        </message>
        <message>
            <source>Selamat malam</source>
            <translation>Good evening</translation>
        </message>
        <message>
            <source>Selamat pagi</source>
            <translation>Good morning</translation>
        </message>
        <message>
            <source>Selamat siang</source>
            <translation>Good afternoon</translation>
        </message>
        <message>
            <source>Selamat sore</source>
            <translation>Good afternoon</translation>
        </message>
        <message>
            <source>Tunjukkan QR kartu pegawai ke kamera</source>
            <translation>Hold your staff badge QR up to the camera</translation>
        </message>
        <message>
            <source>masuk</source>
            <translation>arriving</translation>
        </message>
        <message>
            <source>pulang</source>
            <translation>leaving</translation>
        </message>
    </context>
    <context>
        <name>AdminScreen</name>
        <message>
            <source>Presensi</source>
            <translation>Attendance</translation>
        </message>
    </context>
    <context>
        <name>AttendancePanel</name>
        <message>
            <source>Berikutnya</source>
            <translation>Next</translation>
        </message>
        <message>
            <source>Diekspor ke %1</source>
            <translation>Exported to %1</translation>
        </message>
        <message>
            <source>Ekspor CSV</source>
            <translation>Export CSV</translation>
        </message>
        <message>
            <source>Ekspor gagal: %1</source>
            <translation>Export failed: %1</translation>
        </message>
        <message>
            <source>Hadir</source>
            <translation>Present</translation>
        </message>
        <message>
            <source>Hari kerja</source>
            <translation>Working days</translation>
        </message>
        <message>
            <source>Jam tidak pasti</source>
            <translation>Uncertain time</translation>
        </message>
        <message>
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Pegawai</source>
            <translation>Employee</translation>
        </message>
        <message>
            <source>Presensi bulanan</source>
            <translation>Monthly attendance</translation>
        </message>
        <message>
            <source>Pulang awal</source>
            <translation>Left early</translation>
        </message>
        <message>
            <source>Sebelumnya</source>
            <translation>Previous</translation>
        </message>
        <message>
            <source>Tepat waktu</source>
            <translation>On time</translation>
        </message>
        <message>
            <source>Terlambat</source>
            <translation>Late</translation>
        </message>
        <message>
            <source>Tidak hadir</source>
            <translation>Absent</translation>
        </message>
    </context>
</TS>
