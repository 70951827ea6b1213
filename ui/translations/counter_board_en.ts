<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
    <context>
        <name>BoardScreen</name>
        <message>
            <location filename="../board.py" line="+280" />
            <source>Nomor Antrian</source>
            <translation>Queue Number</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Panggilan sebelumnya</source>
            <translation>Earlier calls</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Menunggu</source>
            <translation>Waiting</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Sedang dilayani</source>
            <translation>Now serving</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Koneksi ke server kantor terputus. Papan ini mencoba menyambung kembali…</source>
            <translation>Lost the connection to the office server. This board is reconnecting…</translation>
        </message>
        <message>
            <location line="+6" />
            <location line="+68" />
            <source>Silakan menunggu</source>
            <translation>Please wait</translation>
        </message>
        <message>
            <location line="-7" />
            <location line="+13" />
            <location line="+32" />
            <source>Loket {n}</source>
            <translation>Counter {n}</translation>
        </message>
        <message>
            <location line="-7" />
            <source>{n} orang</source>
            <translation>{n} waiting</translation>
        </message>
    </context>
    <context>
        <name>SignInPage</name>
        <message>
            <source>Petugas loket</source>
            <translation>Counter staff</translation>
        </message>
        <message>
            <source>Loket {n}</source>
            <translation>Counter {n}</translation>
        </message>
        <message>
            <source>Masuk Loket</source>
            <translation>Open a Counter</translation>
        </message>
        <message>
            <source>1. Siapa yang bertugas?</source>
            <translation>1. Who is on duty?</translation>
        </message>
        <message>
            <source>2. Di loket mana?</source>
            <translation>2. At which counter?</translation>
        </message>
        <message>
            <source>3. Layanan yang dilayani</source>
            <translation>3. Services served here</translation>
        </message>
        <message>
            <source>Mulai Bertugas</source>
            <translation>Start Shift</translation>
        </message>
    </context>
    <context>
        <name>CounterScreen</name>
        <message>
            <location line="+12" />
            <location line="+253" />
            <source>Loket {n}</source>
            <translation>Counter {n}</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Koneksi ke server kantor terputus. Menyambung kembali…</source>
            <translation>Lost the connection to the office server. Reconnecting…</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Selesai Bertugas</source>
            <translation>End Shift</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Panggil Berikutnya</source>
            <translation>Call Next</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Mulai Layani</source>
            <translation>Start Service</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Selesai</source>
            <translation>Finish</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Tidak Hadir</source>
            <translation>No-show</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Alihkan</source>
            <translation>Transfer</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Alihkan ke layanan lain</source>
            <translation>Transfer to another service</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location line="+26" />
            <source>Terjadi kesalahan. Coba sekali lagi; jika berulang, hubungi teknisi.</source>
            <translation>Something went wrong. Try once more; if it happens again, call the technician.</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Tidak dapat menghubungi server kantor. Periksa jaringan, lalu coba lagi.</source>
            <translation>Cannot reach the office server. Check the network, then try again.</translation>
        </message>
        <message>
            <location line="+11" />
            <source>Layanan {list}</source>
            <translation>Services {list}</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Panggil Ulang</source>
            <translation>Recall</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Lanjutkan</source>
            <translation>Resume</translation>
        </message>
        <message>
            <location line="+0" />
            <source>Jeda</source>
            <translation>Pause</translation>
        </message>
        <message>
            <location line="+5" />
            <source>Loket sedang jeda</source>
            <translation>Counter paused</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Belum ada nomor dipanggil</source>
            <translation>No number called yet</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Sedang dipanggil</source>
            <translation>Being called</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Sedang dilayani</source>
            <translation>Now serving</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Tekan “Panggil Berikutnya” untuk memanggil warga berikutnya.</source>
            <translation>Press “Call Next” to call the next citizen.</translation>
        </message>
        <message>
            <location line="+2" />
            <source>Tekan “Lanjutkan” untuk melayani lagi.</source>
            <translation>Press “Resume” to serve again.</translation>
        </message>
        <message>
            <location line="+5" />
            <source>menunggu {t}</source>
            <translation>waited {t}</translation>
        </message>
        <message>
            <location line="+3" />
            <source>dipanggil {t}</source>
            <translation>called {t} ago</translation>
        </message>
        <message>
            <source>baru dipanggil</source>
            <translation>just called</translation>
        </message>
        <message>
            <location line="+3" />
            <source>dipanggil ulang {n}×</source>
            <translation>recalled {n}×</translation>
        </message>
        <message>
            <location line="+2" />
            <source>dilayani {t}</source>
            <translation>served for {t}</translation>
        </message>
        <message>
            <location line="+11" />
            <source>baru saja</source>
            <translation>just now</translation>
        </message>
        <message>
            <location line="+2" />
            <source>{m} mnt</source>
            <translation>{m} min</translation>
        </message>
        <message>
            <location line="+1" />
            <source>{h} j {m} mnt</source>
            <translation>{h} h {m} min</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Prioritas: lansia</source>
            <translation>Priority: elderly</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Prioritas: disabilitas</source>
            <translation>Priority: disability</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Prioritas: ibu hamil / membawa balita</source>
            <translation>Priority: pregnant / with a small child</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Prioritas</source>
            <translation>Priority</translation>
        </message>
        <message>
            <location line="+18" />
            <source>Menunggu ({n})</source>
            <translation>Waiting ({n})</translation>
        </message>
        <message>
            <location line="+3" />
            <source>Tidak ada yang menunggu.</source>
            <translation>Nobody is waiting.</translation>
        </message>
        <message>
            <location line="+22" />
            <source>dan {n} lainnya</source>
            <translation>and {n} more</translation>
        </message>
        <message>
            <location line="+8" />
            <source>Printer siap</source>
            <translation>Printer ready</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Kertas hampir habis</source>
            <translation>Paper running low</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Kertas printer habis</source>
            <translation>Printer out of paper</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Tutup printer terbuka</source>
            <translation>Printer cover open</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Printer tidak tersambung</source>
            <translation>Printer not connected</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Printer tidak menjawab</source>
            <translation>Printer not answering</translation>
        </message>
        <message>
            <location line="+1" />
            <source>Status printer belum diketahui</source>
            <translation>Printer state not known yet</translation>
        </message>
        <message>
            <location line="+5" />
            <source>{n} menunggu cetak</source>
            <translation>{n} waiting to print</translation>
        </message>
        <message>
            <location line="+103" />
            <source>Tidak ada warga yang menunggu untuk layanan loket ini.</source>
            <translation>Nobody is waiting for this counter’s services.</translation>
        </message>
        <message>
            <source>Nomor {number} belum dilayani. Tandai tidak hadir?</source>
            <translation>Number {number} has not been served. Mark as no-show?</translation>
        </message>
        <message>
            <source>Tandai tidak hadir</source>
            <translation>Mark no-show</translation>
        </message>
        <message>
            <location line="+38" />
            <source>Nomor {number} tetap dengan waktu datang semula, jadi tidak kehilangan giliran.</source>
            <translation>Number {number} keeps its original arrival time, so no one loses their turn.</translation>
        </message>
        <message>
            <location line="+24" />
            <source>Nomor {number} dialihkan ke layanan lain dan menunggu di sana.</source>
            <translation>Number {number} was transferred and waits there.</translation>
        </message>
    </context>
</TS>
