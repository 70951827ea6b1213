<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>AdminScreen</name>
        <message>
            <location filename="../admin.py" line="183" />
            <source>Admin kantor</source>
            <translation>Office admin</translation>
        </message>
        <message>
            <location filename="../admin.py" line="184" />
            <source>Semua waktu dalam menit</source>
            <translation>All times in minutes</translation>
        </message>
        <message>
            <location filename="../admin.py" line="185" />
            <source>Dari</source>
            <translation>From</translation>
        </message>
        <message>
            <location filename="../admin.py" line="186" />
            <source>Sampai</source>
            <translation>To</translation>
        </message>
        <message>
            <location filename="../admin.py" line="187" />
            <source>Perbarui</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <location filename="../admin.py" line="188" />
            <source>Ekspor CSV</source>
            <translation>Export CSV</translation>
        </message>
        <message>
            <location filename="../admin.py" line="189" />
            <source>Nomor diambil</source>
            <translation>Tickets taken</translation>
        </message>
        <message>
            <location filename="../admin.py" line="189" />
            <source>Selesai dilayani</source>
            <translation>Served</translation>
        </message>
        <message>
            <location filename="../admin.py" line="190" />
            <source>Tidak hadir</source>
            <translation>No-show</translation>
        </message>
        <message>
            <location filename="../admin.py" line="190" />
            <source>Menunggu sekarang</source>
            <translation>Waiting now</translation>
        </message>
        <message>
            <location filename="../admin.py" line="194" />
            <source>Layanan</source>
            <translation>Service</translation>
        </message>
        <message>
            <location filename="../admin.py" line="194" />
            <source>Diambil</source>
            <translation>Taken</translation>
        </message>
        <message>
            <location filename="../admin.py" line="194" />
            <location filename="../admin.py" line="198" />
            <source>Dilayani</source>
            <translation>Served</translation>
        </message>
        <message>
            <location filename="../admin.py" line="194" />
            <source>Tidak
hadir</source>
            <translation>No-
show</translation>
        </message>
        <message>
            <location filename="../admin.py" line="195" />
            <source>Tunggu
rata-rata</source>
            <translation>Wait
mean</translation>
        </message>
        <message>
            <location filename="../admin.py" line="195" />
            <source>Tunggu
p90</source>
            <translation>Wait
p90</translation>
        </message>
        <message>
            <location filename="../admin.py" line="195" />
            <source>Dilayani
rata-rata</source>
            <translation>Service
mean</translation>
        </message>
        <message>
            <location filename="../admin.py" line="196" />
            <source>Dilayani
p90</source>
            <translation>Service
p90</translation>
        </message>
        <message>
            <location filename="../admin.py" line="198" />
            <source>Loket</source>
            <translation>Counter</translation>
        </message>
        <message>
            <location filename="../admin.py" line="198" />
            <source>Lama layanan
rata-rata</source>
            <translation>Service time
mean</translation>
        </message>
        <message>
            <location filename="../admin.py" line="199" />
            <source>Lama layanan
p90</source>
            <translation>Service time
p90</translation>
        </message>
        <message numerus="yes">
            <location filename="../admin.py" line="279" />
            <source>%n baris diekspor ke %1</source>
            <translation>
                <numerusform>%n row exported to %1</numerusform>
                <numerusform>%n rows exported to %1</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../admin.py" line="281" />
            <source>Ekspor gagal: %1</source>
            <translation>Export failed: %1</translation>
        </message>
        <message>
            <location filename="../admin.py" line="283" />
            <source>Statistik tidak dapat dimuat: %1</source>
            <translation>Statistics could not be loaded: %1</translation>
        </message>
        <message>
            <location filename="../admin.py" line="309" />
            <source>Loket %1</source>
            <translation>Counter %1</translation>
        </message>
        <message>
            <location filename="../admin.py" line="325" />
            <source>Waktu tunggu per layanan (menit)</source>
            <translation>Waiting time per service (minutes)</translation>
        </message>
        <message>
            <location filename="../admin.py" line="330" />
            <source>Rata-rata</source>
            <translation>Mean</translation>
        </message>
        <message>
            <location filename="../admin.py" line="331" />
            <source>p90</source>
            <translation>p90</translation>
        </message>
        <message>
            <location filename="../admin.py" line="362" />
            <source>Printer: memeriksa…</source>
            <translation>Printer: checking…</translation>
        </message>
        <message>
            <location filename="../admin.py" line="364" />
            <source>siap</source>
            <translation>ready</translation>
        </message>
        <message>
            <location filename="../admin.py" line="364" />
            <source>kertas hampir habis</source>
            <translation>paper running low</translation>
        </message>
        <message>
            <location filename="../admin.py" line="365" />
            <source>kertas habis</source>
            <translation>out of paper</translation>
        </message>
        <message>
            <location filename="../admin.py" line="365" />
            <source>tutup printer terbuka</source>
            <translation>cover open</translation>
        </message>
        <message>
            <location filename="../admin.py" line="366" />
            <source>tidak tersambung</source>
            <translation>not connected</translation>
        </message>
        <message>
            <location filename="../admin.py" line="366" />
            <source>tidak menjawab</source>
            <translation>not answering</translation>
        </message>
        <message>
            <location filename="../admin.py" line="367" />
            <source>belum diperiksa</source>
            <translation>not checked yet</translation>
        </message>
        <message>
            <location filename="../admin.py" line="367" />
            <source>tidak dapat dibaca</source>
            <translation>cannot be read</translation>
        </message>
        <message>
            <location filename="../admin.py" line="369" />
            <source>Printer: %1</source>
            <translation>Printer: %1</translation>
        </message>
        <message numerus="yes">
            <location filename="../admin.py" line="372" />
            <source>%n tiket menunggu dicetak</source>
            <translation>
                <numerusform>%n ticket waiting to print</numerusform>
                <numerusform>%n tickets waiting to print</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../admin.py" line="380" />
            <source>Sinkronisasi: status belum tersedia di perangkat ini.</source>
            <translation>Sync: status not available on this device.</translation>
        </message>
        <message>
            <location filename="../admin.py" line="382" />
            <source>server kota belum diatur</source>
            <translation>city server not set up</translation>
        </message>
        <message numerus="yes">
            <location filename="../admin.py" line="384" />
            <source>Sinkronisasi: %1 · %n perubahan belum terkirim</source>
            <translation>
                <numerusform>Sync: %1 · %n change not sent yet</numerusform>
                <numerusform>Sync: %1 · %n changes not sent yet</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>AttendanceScreen</name>
        <message>
            <location filename="../attendance.py" line="60" />
            <source>Presensi Pegawai</source>
            <translation>Staff Attendance</translation>
        </message>
        <message>
            <location filename="../attendance.py" line="61" />
            <source>Presensi dengan kartu pegawai belum aktif di perangkat ini.</source>
            <translation>Clocking in with a staff badge is not active on this device yet.</translation>
        </message>
        <message>
            <location filename="../attendance.py" line="62" />
            <source>Tidak ada kehadiran yang dicatat di sini. Silakan gunakan cara presensi yang berlaku di kantor, dan hubungi admin bila perlu.</source>
            <translation>No attendance is recorded here. Please use the office's usual way of clocking in, and contact the admin if needed.</translation>
        </message>
    </context>
    <context>
        <name>CitizenScreen</name>
        <message>
            <location filename="../citizen.py" line="319" />
            <source>Selamat datang</source>
            <translation>Welcome</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="320" />
            <source>Silakan sentuh layanan yang Anda perlukan.</source>
            <translation>Please touch the service you need.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="321" />
            <source>Coba lagi</source>
            <translation>Try again</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="322" />
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="323" />
            <source>Ambil Nomor</source>
            <translation>Take a Number</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="324" />
            <source>Perlu didahulukan? Sentuh salah satu:</source>
            <translation>Need to go first? Touch one:</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="325" />
            <location filename="../citizen.py" line="477" />
            <source>Lansia</source>
            <translation>Elderly</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="326" />
            <location filename="../citizen.py" line="477" />
            <source>Disabilitas</source>
            <translation>Disability</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="327" />
            <source>Ibu hamil atau
membawa balita</source>
            <translation>Pregnant or with
a small child</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="328" />
            <source>Nomor antrian Anda</source>
            <translation>Your queue number</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="329" />
            <source>Selesai</source>
            <translation>Done</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="330" />
            <source>Kembali ke awal</source>
            <translation>Back to start</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="377" />
            <source>Mohon tunggu sebentar…</source>
            <translation>One moment, please…</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="378" />
            <source>Belum ada layanan yang dibuka hari ini. Silakan tanyakan ke petugas.</source>
            <translation>No services are open today yet. Please ask a staff member.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="379" />
            <source>Daftar layanan belum dapat ditampilkan. Silakan coba lagi atau tanyakan ke petugas.</source>
            <translation>The list of services cannot be shown right now. Please try again or ask a staff member.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="411" />
            <source>Mohon tunggu, nomor Anda sedang dibuat…</source>
            <translation>One moment, your number is being made…</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="461" />
            <source>Maaf, kuota habis</source>
            <translation>Sorry, today's quota is full</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="463" />
            <source>Kuota layanan %1 untuk hari ini sudah habis. Silakan datang kembali besok, atau tanyakan ke petugas.</source>
            <translation>Today's quota for %1 is full. Please come back tomorrow, or ask a staff member.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="466" />
            <source>Maaf, nomor belum dapat dibuat</source>
            <translation>Sorry, your number could not be made</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="467" />
            <source>Silakan coba sekali lagi. Jika masih gagal, silakan sampaikan ke petugas.</source>
            <translation>Please try once more. If it still fails, please tell a staff member.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="478" />
            <source>Ibu hamil atau membawa balita</source>
            <translation>Pregnant or with a small child</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="480" />
            <source>Prioritas: %1</source>
            <translation>Priority: %1</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="484" />
            <source>Tiket Anda sedang dicetak…</source>
            <translation>Your ticket is printing…</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="485" />
            <source>Silakan ambil tiket Anda di bawah layar. Terima kasih.</source>
            <translation>Please take your ticket below the screen. Thank you.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="490" />
            <source>Printer sedang bermasalah. Nomor Anda: %1. Silakan sampaikan ke petugas.</source>
            <translation>The printer has a problem. Your number: %1. Please tell a staff member.</translation>
        </message>
        <message>
            <location filename="../citizen.py" line="496" />
            <source>Tidak ada antrian di depan Anda. Mohon tunggu panggilan.</source>
            <translation>Nobody is ahead of you. Please wait to be called.</translation>
        </message>
        <message numerus="yes">
            <location filename="../citizen.py" line="497" />
            <source>%n orang di depan Anda</source>
            <translation>
                <numerusform>%n person ahead of you</numerusform>
                <numerusform>%n people ahead of you</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../citizen.py" line="501" />
            <source>%1, perkiraan kurang dari 1 menit</source>
            <translation>%1, about less than a minute</translation>
        </message>
        <message numerus="yes">
            <location filename="../citizen.py" line="502" />
            <source>%1, perkiraan %n menit</source>
            <translation>
                <numerusform>%1, about %n minute</numerusform>
                <numerusform>%1, about %n minutes</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>PinPad</name>
        <message numerus="yes">
            <source>Terlalu banyak PIN salah. Silakan tunggu %n detik.</source>
            <translation>
                <numerusform>Too many wrong PINs. Please wait %n second.</numerusform>
                <numerusform>Too many wrong PINs. Please wait %n seconds.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../shell.py" line="207" />
            <source>Masuk Admin</source>
            <translation>Admin Sign-in</translation>
        </message>
        <message>
            <location filename="../shell.py" line="208" />
            <source>Masukkan PIN admin, lalu tekan Masuk.</source>
            <translation>Enter the admin PIN, then press Sign in.</translation>
        </message>
        <message>
            <location filename="../shell.py" line="209" />
            <source>Hapus</source>
            <translation>Delete</translation>
        </message>
        <message>
            <location filename="../shell.py" line="210" />
            <source>Masuk</source>
            <translation>Sign in</translation>
        </message>
        <message>
            <location filename="../shell.py" line="211" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../shell.py" line="213" />
            <location filename="../shell.py" line="235" />
            <source>PIN salah. Silakan coba lagi.</source>
            <translation>Wrong PIN. Please try again.</translation>
        </message>
    </context>
    <context>
        <name>ServiceButton</name>
        <message>
            <location filename="../citizen.py" line="101" />
            <source>Kuota hari ini
sudah habis</source>
            <extracomment>Printer states in which a receipt can come out (kiosk.print_queue.PRINTABLE_STATES). States that tell us right away the receipt will not come out.</extracomment>
            <translation>Today's quota
is full</translation>
        </message>
        <message numerus="yes">
            <location filename="../citizen.py" line="105" />
            <source>%n orang
menunggu</source>
            <translation>
                <numerusform>%n person
waiting</numerusform>
                <numerusform>%n people
waiting</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Shell</name>
        <message>
            <location filename="../shell.py" line="396" />
            <source>Kios Layanan Kelurahan</source>
            <translation>Kelurahan Service Kiosk</translation>
        </message>
        <message>
            <location filename="../shell.py" line="397" />
            <source>Keluar Admin</source>
            <translation>Leave Admin</translation>
        </message>
        <message>
            <location filename="../shell.py" line="398" />
            <source>Nama kantor</source>
            <translation>Office name</translation>
        </message>
    </context>
</TS>
