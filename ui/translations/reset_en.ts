<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
    <context>
        <name>AdminScreen</name>
        <message>
            <location filename="../admin.py" />
            <source>Atur ulang pabrik</source>
            <translation>Factory reset</translation>
        </message>
    </context>
    <context>
        <name>ResetPanel</name>
        <message>
            <location filename="../admin_reset.py" />
            <source>Atur ulang pabrik</source>
            <translation>Factory reset</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Atur ulang sekarang</source>
            <translation>Reset now</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Perangkat sudah diatur ulang. Aplikasi dimulai ulang ke halaman penyiapan…</source>
            <translation>The device has been reset. The app restarts to the setup page…</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Mengirim catatan ke server kota…</source>
            <translation>Sending records to the city server…</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Menghapus data perangkat…</source>
            <translation>Erasing the device's data…</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Jumlah catatan yang belum terkirim tidak dapat dibaca; semua yang belum terkirim akan hilang.</source>
            <translation>The number of unsent records cannot be read; whatever was not sent will be lost.</translation>
        </message>
        <message numerus="yes">
            <location filename="../admin_reset.py" />
            <source>%n catatan belum terkirim ke server kota dan akan hilang.</source>
            <translation>
                <numerusform>%n record not yet sent to the city server will be lost.</numerusform>
                <numerusform>%n records not yet sent to the city server will be lost.</numerusform>
            </translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Semua catatan sudah terkirim ke server kota.</source>
            <translation>Every record has reached the city server.</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Semua data, kunci dan pengaturan perangkat ini akan dihapus. Perangkat kembali ke halaman penyiapan dan harus disiapkan lagi oleh teknisi. Lanjutkan?</source>
            <translation>All data, keys and settings of this device will be erased. The device goes back to its setup page and must be set up again by a technician. Continue?</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Ada catatan baru sejak tadi; periksa jumlahnya lagi.</source>
            <translation>New records arrived meanwhile; check the number again.</translation>
        </message>
        <message>
            <location filename="../admin_reset.py" />
            <source>Atur ulang gagal: %1</source>
            <translation>Reset failed: %1</translation>
        </message>
    </context>
</TS>
