<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>errors</name>
        <message>
            <location filename="../errors.py" />
            <source>Terjadi kesalahan. Coba sekali lagi; jika berulang, hubungi teknisi.</source>
            <translation>Something went wrong. Please try once more; if it happens again, call the technician.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Pengaturan perangkat ini salah ({key}). Silakan hubungi teknisi.</source>
            <translation>This device's settings are wrong ({key}). Please call the technician.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Data tidak dapat disimpan saat ini. Coba lagi sebentar; jika berulang, hubungi teknisi.</source>
            <translation>The data cannot be saved right now. Try again in a moment; if it happens again, call the technician.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Penyimpanan perangkat penuh; tidak ada yang tersimpan. Silakan hubungi teknisi.</source>
            <translation>This device's storage is full; nothing was saved. Please call the technician.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Isian tidak sesuai ({field}). Periksa lalu coba lagi.</source>
            <translation>An entry is not right ({field}). Please check it and try again.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Data yang diminta tidak ditemukan. Muat ulang, lalu coba lagi.</source>
            <translation>What was asked for was not found. Reload, then try again.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Mohon maaf, kuota layanan {service} hari ini sudah habis ({cap} antrian). Silakan datang kembali besok.</source>
            <translation>We are sorry, today's quota for {service} is used up ({cap} tickets). Please come back tomorrow.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Langkah ini tidak dapat dilakukan sekarang. Muat ulang, lalu coba lagi.</source>
            <translation>This step cannot be done right now. Reload, then try again.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Tiket {number} sudah berubah status, jadi langkah ini tidak dapat dilakukan. Muat ulang, lalu coba lagi.</source>
            <translation>Ticket {number} has changed status, so this step cannot be done. Reload, then try again.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Tiket {number} baru dipanggil ulang {recalls} kali. Panggil ulang dulu (minimal {needed} kali) sebelum menandai tidak hadir.</source>
            <translation>Ticket {number} was recalled only {recalls} times. Recall it first (at least {needed} times) before marking it as absent.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Nomor {number} belum dilayani. Mulai layani, selesaikan, atau tandai tidak hadir dulu.</source>
            <translation>Number {number} has not been served yet. Start serving it, finish it, or mark it as absent first.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Tiket {number} sudah di layanan {service}.</source>
            <translation>Ticket {number} is already in the service {service}.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>{counter} sedang jeda. Lanjutkan layanan dulu sebelum memanggil.</source>
            <translation>{counter} is paused. Resume service before calling.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Sambungan ke server kantor bermasalah. Coba lagi; jika berulang, hubungi teknisi.</source>
            <translation>The connection to the office server has a problem. Try again; if it happens again, call the technician.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Tidak dapat menghubungi server kantor. Periksa jaringan, lalu coba lagi.</source>
            <translation>Cannot reach the office server. Check the network, then try again.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Server kantor menolak perangkat ini (token LAN berbeda). Silakan hubungi teknisi.</source>
            <translation>The office server refused this device (the LAN token differs). Please call the technician.</translation>
        </message>
        <message>
            <location filename="../errors.py" />
            <source>Server kantor memakai versi lain. Silakan hubungi teknisi.</source>
            <translation>The office server runs another version. Please call the technician.</translation>
        </message>
    </context>
</TS>
