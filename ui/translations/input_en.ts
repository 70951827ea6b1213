<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>input</name>
        <message numerus="yes">
            <source>Paling sedikit %n angka.</source>
            <translation>
                <numerusform>At least %n digit.</numerusform>
                <numerusform>At least %n digits.</numerusform>
            </translation>
        </message>
        <message>
            <source>Hapus semua</source>
            <translation>Clear all</translation>
        </message>
        <message>
            <source>Hapus</source>
            <translation>Delete</translation>
        </message>
        <message>
            <source>Hapus satu angka</source>
            <translation>Delete one digit</translation>
        </message>
        <message numerus="yes">
            <source>%n angka</source>
            <translation>
                <numerusform>%n digit</numerusform>
                <numerusform>%n digits</numerusform>
            </translation>
        </message>
        <message>
            <source>Baru %1 dari %2 angka. Silakan lengkapi.</source>
            <translation>Only %1 of %2 digits so far. Please complete the number.</translation>
        </message>
        <message>
            <source>Hapus satu huruf</source>
            <translation>Delete one letter</translation>
        </message>
        <message>
            <source>Huruf besar</source>
            <translation>Capitals</translation>
        </message>
        <message>
            <source>Spasi</source>
            <translation>Space</translation>
        </message>
        <message>
            <source>Tanggal hanya dari 1 sampai 31. Silakan periksa lagi.</source>
            <translation>A day is 1 to 31. Please check again.</translation>
        </message>
        <message>
            <source>Bulan hanya dari 1 sampai 12. Silakan periksa lagi.</source>
            <translation>A month is 1 to 12. Please check again.</translation>
        </message>
        <message>
            <source>Tanggal belum lengkap. Isi tanggal, bulan, dan tahun.</source>
            <translation>The date is not complete. Fill in day, month and year.</translation>
        </message>
        <message>
            <source>Tanggal</source>
            <translation>Day</translation>
        </message>
        <message>
            <source>Bulan</source>
            <translation>Month</translation>
        </message>
        <message>
            <source>Tahun</source>
            <translation>Year</translation>
        </message>
        <message>
            <source>Bagian ini perlu diisi.</source>
            <translation>Please fill this in.</translation>
        </message>
        <message>
            <source>Tanggal ini terlalu jauh ke belakang. Silakan periksa tahunnya.</source>
            <translation>This date is too long ago. Please check the year.</translation>
        </message>
        <message>
            <source>Tanggal ini belum terjadi. Silakan periksa tahunnya.</source>
            <translation>This date has not happened yet. Please check the year.</translation>
        </message>
        <message>
            <source>Silakan pilih salah satu.</source>
            <translation>Please choose one.</translation>
        </message>
        <message>
            <source>Tahun harus antara %1 dan %2.</source>
            <translation>The year must be between %1 and %2.</translation>
        </message>
        <message>
            <source>Tahun %1 tidak punya tanggal 29 Februari. Silakan periksa lagi.</source>
            <translation>%1 has no 29 February. Please check again.</translation>
        </message>
        <message>
            <source>Tanggal %1 %2 tidak ada. Silakan periksa lagi.</source>
            <translation>There is no %1 %2. Please check again.</translation>
        </message>
        <message>
            <source>Masukkan NIK Anda</source>
            <translation>Enter your NIK</translation>
        </message>
        <message>
            <source>16 angka, ada di KTP atau Kartu Keluarga.</source>
            <translation>16 digits, on your ID card (KTP) or family card (KK).</translation>
        </message>
        <message>
            <source>Data pemohon</source>
            <translation>About you</translation>
        </message>
        <message>
            <source>Keterangan usaha</source>
            <translation>About the business</translation>
        </message>
        <message>
            <source>Lanjut</source>
            <translation>Next</translation>
        </message>
        <message>
            <source>Huruf besar seperti di KTP</source>
            <translation>In capitals, as on the ID card</translation>
        </message>
        <message>
            <source>Tanggal lahir di NIK (12-04-1985) berbeda dengan yang Anda isi. Tetap lanjut jika sudah benar.</source>
            <translation>The birth date in the NIK (12-04-1985) differs from the one you entered. Go on if it is right.</translation>
        </message>
        <message>
            <source>Angka ke-7 dan ke-8 NIK adalah tanggal lahir; %1 tidak mungkin. Silakan periksa lagi.</source>
            <translation>Digits 7 and 8 of a NIK are the day of birth; %1 cannot be. Please check again.</translation>
        </message>
        <message>
            <source>Angka ke-9 dan ke-10 NIK adalah bulan lahir; %1 tidak mungkin. Silakan periksa lagi.</source>
            <translation>Digits 9 and 10 of a NIK are the month of birth; %1 cannot be. Please check again.</translation>
        </message>
        <message>
            <source>Januari</source>
            <translation>January</translation>
        </message>
        <message>
            <source>Februari</source>
            <translation>February</translation>
        </message>
        <message>
            <source>Maret</source>
            <translation>March</translation>
        </message>
        <message>
            <source>April</source>
            <translation>April</translation>
        </message>
        <message>
            <source>Mei</source>
            <translation>May</translation>
        </message>
        <message>
            <source>Juni</source>
            <translation>June</translation>
        </message>
        <message>
            <source>Juli</source>
            <translation>July</translation>
        </message>
        <message>
            <source>Agustus</source>
            <translation>August</translation>
        </message>
        <message>
            <source>September</source>
            <translation>September</translation>
        </message>
        <message>
            <source>Oktober</source>
            <translation>October</translation>
        </message>
        <message>
            <source>November</source>
            <translation>November</translation>
        </message>
        <message>
            <source>Desember</source>
            <translation>December</translation>
        </message>
    </context>
</TS>
