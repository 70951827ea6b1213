<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
    <context>
        <name>SyncPanel</name>
        <message>
            <location filename="../admin_sync.py" line="193" />
            <source>Sinkronisasi</source>
            <translation>Sync</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="194" />
            <source>Sinkronkan sekarang</source>
            <translation>Sync now</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="195" />
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="196" />
            <source>Belum terkirim</source>
            <translation>Not sent yet</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="196" />
            <source>Tertua menunggu</source>
            <translation>Oldest waiting</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="197" />
            <source>Ditolak server</source>
            <translation>Rejected by server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="200" />
            <source>Kirim terakhir berhasil</source>
            <translation>Last good push</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="200" />
            <source>Ambil terakhir berhasil</source>
            <translation>Last good pull</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="201" />
            <source>Putaran terakhir</source>
            <translation>Last round</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="201" />
            <source>Jam perangkat</source>
            <translation>Device clock</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="202" />
            <source>Kesalahan terakhir</source>
            <translation>Last error</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="206" />
            <source>Tabel</source>
            <translation>Table</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="206" />
            <source>ID rekaman</source>
            <translation>Record ID</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="206" />
            <source>Alasan</source>
            <translation>Reason</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="206" />
            <source>Waktu</source>
            <translation>Time</translation>
        </message>
        <message numerus="yes">
            <location filename="../admin_sync.py" line="271" />
            <source>%n detik</source>
            <translation>
                <numerusform>%n second</numerusform>
                <numerusform>%n seconds</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../admin_sync.py" line="274" />
            <location filename="../admin_sync.py" line="277" />
            <source>%n menit</source>
            <translation>
                <numerusform>%n minute</numerusform>
                <numerusform>%n minutes</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../admin_sync.py" line="277" />
            <location filename="../admin_sync.py" line="279" />
            <source>%n jam</source>
            <translation>
                <numerusform>%n hour</numerusform>
                <numerusform>%n hours</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <location filename="../admin_sync.py" line="279" />
            <source>%n hari</source>
            <translation>
                <numerusform>%n day</numerusform>
                <numerusform>%n days</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="282" />
            <source>belum pernah</source>
            <translation>never</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="286" />
            <source>Server kota tidak dapat dihubungi. Periksa jaringan (kabel atau Wi-Fi) dan alamat server. Data tetap tersimpan dan terkirim otomatis.</source>
            <translation>The city server cannot be reached. Check the network (cable or Wi-Fi) and the server address. Data stays stored and is sent automatically.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="288" />
            <source>Server kota sedang sibuk. Dicoba lagi otomatis; tidak perlu tindakan.</source>
            <translation>The city server is busy. It is retried automatically; nothing to do.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="289" />
            <source>Server kota menolak perangkat ini (belum terdaftar atau dicabut). Daftarkan ulang dengan token baru: kiosk enroll --server URL --token TOKEN.</source>
            <translation>The city server refuses this device (not enrolled or revoked). Enroll it again with a new token: kiosk enroll --server URL --token TOKEN.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="291" />
            <source>Perangkat lunak kios ini terlalu lama untuk server kota. Perbarui perangkat lunak kios.</source>
            <translation>This kiosk's software is too old for the city server. Update the kiosk software.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="293" />
            <source>Server kota menolak permintaan. Catat rincian di bawah dan hubungi pengelola server kota.</source>
            <translation>The city server refused the request. Note the details below and contact the city server's administrator.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="295" />
            <source>Sinkronisasi lain sedang berjalan di perangkat ini (misalnya kiosk sync --once). Tunggu sampai selesai.</source>
            <translation>Another sync is running on this device (for example kiosk sync --once). Wait until it ends.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="298" />
            <source>Sinkronisasi gagal. Catat rincian di bawah dan hubungi teknisi.</source>
            <translation>Sync failed. Note the details below and contact a technician.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="309" />
            <source>jam perangkat mundur dari waktu baik terakhir (%1)</source>
            <translation>the device clock went back before its last known good time (%1)</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="314" />
            <source>belum pernah dicocokkan dengan server kota</source>
            <translation>never checked against the city server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="317" />
            <source>tidak pasti: %1. Periksa jam perangkat; waktu dicatat bertanda tidak pasti.</source>
            <translation>uncertain: %1. Check the device clock; times are recorded flagged as uncertain.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="321" />
            <source>tepat menurut pemeriksaan terakhir (belum diperiksa sejak dinyalakan)</source>
            <translation>correct at the last check (not checked since it was switched on)</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="323" />
            <source>tepat · selisih kurang dari 1 detik dengan server</source>
            <translation>correct · less than 1 second from the server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="324" />
            <source>tepat · %1</source>
            <translation>correct · %1</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="330" />
            <source>jam perangkat terlambat %1 dari server</source>
            <translation>device clock %1 behind the server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="331" />
            <source>jam perangkat lebih cepat %1 dari server</source>
            <translation>device clock %1 ahead of the server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="337" />
            <source>Memuat status sinkronisasi…</source>
            <translation>Loading the sync status…</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="340" />
            <source>Status sinkronisasi tidak dapat dibaca: %1</source>
            <translation>The sync status cannot be read: %1</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="344" />
            <source>Sinkronisasi belum diatur: alamat server kota ([sync] server) masih kosong. Semua data tetap tersimpan di perangkat ini dan terkirim setelah diatur.</source>
            <translation>Sync is not set up: the city server address ([sync] server) is empty. All data stays stored on this device and is sent once it is set up.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="348" />
            <source>Perangkat ini belum terdaftar di server kota, jadi belum ada yang dikirim. Teknisi: jalankan kiosk enroll --server URL --token TOKEN dengan token dari kantor kota, lalu mulai ulang aplikasi.</source>
            <translation>This device is not enrolled with the city server, so nothing is sent yet. Technician: run kiosk enroll --server URL --token TOKEN with a token from the city office, then restart the app.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="354" />
            <source>Sinkronisasi latar belakang tidak berjalan di aplikasi ini. Mulai ulang aplikasi; bila tetap begitu, hubungi teknisi.</source>
            <translation>Background sync is not running in this app. Restart the app; if it stays so, contact a technician.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="357" />
            <source>Menghubungi server kota %1…</source>
            <translation>Contacting the city server %1…</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="359" />
            <source>Berjalan di latar belakang · tersambung ke %1</source>
            <translation>Running in the background · connected to %1</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="361" />
            <source>Berjalan di latar belakang · putaran terakhir gagal</source>
            <translation>Running in the background · the last round failed</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="363" />
            <source>dicoba lagi dalam sekitar %1</source>
            <translation>retrying in about %1</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="365" />
            <source>segera dicoba lagi</source>
            <translation>retrying shortly</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="372" />
            <source>belum terdaftar di server kota</source>
            <translation>not enrolled with the city server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="374" />
            <source>%1 (bermasalah, lihat Detail)</source>
            <translation>%1 (failing, see Details)</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="376" />
            <source>%1 (tidak berjalan)</source>
            <translation>%1 (not running)</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="387" />
            <source>Sedang menyinkronkan…</source>
            <translation>Syncing…</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="414" />
            <source>belum dicocokkan (sinkronisasi belum berjalan)</source>
            <translation>not checked (sync is not running)</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="431" />
            <source>Rincian teknis: %1</source>
            <translation>Technical details: %1</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="433" />
            <source>tidak ada</source>
            <translation>none</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="441" />
            <source>belum ada di aplikasi ini</source>
            <translation>none yet in this app</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="444" />
            <source>gagal (lihat kesalahan terakhir)</source>
            <translation>failed (see the last error)</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="445" />
            <source>%1 terkirim, %2 ditolak; %3 perubahan dari server</source>
            <translation>%1 sent, %2 rejected; %3 changes from the server</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="452" />
            <source>Ditolak server, tidak dikirim ulang (%1). Catat dan sampaikan ke pengelola server kota.</source>
            <translation>Rejected by the server, not sent again (%1). Note them and tell the city server's administrator.</translation>
        </message>
        <message>
            <location filename="../admin_sync.py" line="455" />
            <source>Tidak ada data yang ditolak server.</source>
            <translation>Nothing was rejected by the server.</translation>
        </message>
        <message>
            <location filename="../admin.py" />
            <source>Detail sinkronisasi</source>
            <translation>Sync details</translation>
        </message>
        <message numerus="yes">
            <location filename="../admin.py" />
            <source>%n ditolak server</source>
            <translation>
                <numerusform>%n rejected by the server</numerusform>
                <numerusform>%n rejected by the server</numerusform>
            </translation>
        </message>
    </context>
</TS>
