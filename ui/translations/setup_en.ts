<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
    <context>
        <name>SetupPage</name>
        <message>
            <source>Kios ini sedang disiapkan petugas</source>
            <translation>This kiosk is being set up by staff</translation>
        </message>
        <message>
            <source>Silakan menuju loket untuk dilayani. Terima kasih atas kesabaran Anda.</source>
            <translation>Please go to a counter to be served. Thank you for your patience.</translation>
        </message>
        <message>
            <source>Untuk petugas teknis</source>
            <translation>For the technician</translation>
        </message>
        <message>
            <source>ID perangkat</source>
            <translation>Device ID</translation>
        </message>
        <message>
            <source>Kode penyiapan</source>
            <translation>Setup code</translation>
        </message>
        <message>
            <source>Alamat: %1</source>
            <translation>Address: %1</translation>
        </message>
        <message>
            <source>Pindai untuk menyiapkan</source>
            <translation>Scan to set up</translation>
        </message>
        <message>
            <source>Terlalu banyak kode salah. Coba lagi dalam %1</source>
            <translation>Too many wrong codes. Try again in %1</translation>
        </message>
        <message>
            <source>Kode baru dalam %1</source>
            <translation>New code in %1</translation>
        </message>
    </context>
    <context>
        <name>DeviceList</name>
        <message>
            <source>Perangkat di jaringan</source>
            <translation>Devices on the network</translation>
        </message>
        <message>
            <source>Mencari…</source>
            <translation>Searching…</translation>
        </message>
        <message>
            <source>siap</source>
            <translation>ready</translation>
        </message>
        <message>
            <source>belum disiapkan</source>
            <translation>not set up</translation>
        </message>
        <message>
            <source>perangkat ini</source>
            <translation>this device</translation>
        </message>
    </context>
</TS>
