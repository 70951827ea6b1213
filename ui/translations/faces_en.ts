<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="id_ID">
    <context>
        <name>FacesPanel</name>
        <message>
            <source>Pilih pegawai yang mencatat</source>
            <translation>Choose the employee recording it</translation>
        </message>
        <message>
            <source>Foto diambil.</source>
            <translation>Picture taken.</translation>
        </message>
        <message>
            <source>Wajah tidak terlihat. Hadapkan wajah ke kamera, lalu coba lagi.</source>
            <translation>No face seen. Face the camera, then try again.</translation>
        </message>
        <message>
            <source>Ada lebih dari satu wajah. Hanya pegawai yang direkam boleh terlihat di kamera.</source>
            <translation>More than one face. Only the employee being recorded may be in view of the camera.</translation>
        </message>
        <message>
            <source>Kamera belum memberi gambar. Tunggu sebentar, lalu coba lagi.</source>
            <translation>The camera has no picture yet. Wait a moment, then try again.</translation>
        </message>
        <message>
            <source>Bacakan kepada pegawai: “Wajah Anda akan direkam untuk memastikan bahwa presensi dengan kartu Anda dilakukan oleh Anda sendiri. Yang disimpan hanya ciri-ciri wajah berupa angka, bukan foto. Data ini hanya dipakai untuk presensi, dapat dihapus kapan saja atas permintaan Anda, dan dihapus bila Anda tidak lagi bekerja di kantor ini (UU 27/2022 tentang Pelindungan Data Pribadi).”</source>
            <translation>Read to the employee: “Your face will be recorded to make sure that attendance with your badge is made by you yourself. Only features of the face as numbers are kept, not a photo. This data is used for attendance only, can be deleted at any time at your request, and is deleted when you no longer work at this office (Law 27/2022 on Personal Data Protection).”</translation>
        </message>
        <message>
            <source>Data wajah pegawai</source>
            <translation>Employees' face data</translation>
        </message>
        <message>
            <source>Kembali</source>
            <translation>Back</translation>
        </message>
        <message>
            <source>Rekam wajah</source>
            <translation>Record face</translation>
        </message>
        <message>
            <source>Hapus data wajah</source>
            <translation>Delete face data</translation>
        </message>
        <message>
            <source>Data wajah pegawai ini dihapus dari perangkat ini dan dari server kota. Setelah itu presensi hanya dengan kartu sampai wajahnya direkam lagi.</source>
            <translation>This employee's face data is deleted from this device and from the city server. Attendance is then by badge only until the face is recorded again.</translation>
        </message>
        <message>
            <source>Batal</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Ya, hapus</source>
            <translation>Yes, delete</translation>
        </message>
        <message>
            <source>Pegawai sudah mendengar naskah ini dan setuju</source>
            <translation>The employee has heard this text and agrees</translation>
        </message>
        <message>
            <source>Dicatat oleh</source>
            <translation>Recorded by</translation>
        </message>
        <message>
            <source>Lanjut ke kamera</source>
            <translation>Go on to the camera</translation>
        </message>
        <message>
            <source>Minta pegawai menatap kamera, tanpa masker atau kacamata gelap. Ambil beberapa foto dengan sedikit gerakan kepala.</source>
            <translation>Ask the employee to look at the camera, without a mask or dark glasses. Take several pictures with slight head movements.</translation>
        </message>
        <message>
            <source>Ambil foto</source>
            <translation>Take picture</translation>
        </message>
        <message>
            <source>Foto gagal diolah. Coba lagi.</source>
            <translation>The picture could not be processed. Try again.</translation>
        </message>
        <message>
            <source>Pegawai</source>
            <translation>Employee</translation>
        </message>
        <message>
            <source>Wajah</source>
            <translation>Face</translation>
        </message>
        <message>
            <source>Persetujuan</source>
            <translation>Consent</translation>
        </message>
        <message>
            <source>Kamera wajah tidak tersedia di perangkat ini. Rekam wajah di terminal presensi.</source>
            <translation>No face camera on this device. Record faces at the attendance terminal.</translation>
        </message>
        <message>
            <source>Belum direkam</source>
            <translation>Not recorded</translation>
        </message>
        <message>
            <source>Hapus data wajah %1?</source>
            <translation>Delete the face data of %1?</translation>
        </message>
        <message>
            <source>Data wajah %1 sudah dihapus.</source>
            <translation>The face data of %1 was deleted.</translation>
        </message>
        <message>
            <source>Wajah %1 sudah direkam.</source>
            <translation>%1's face was recorded.</translation>
        </message>
        <message>
            <source>Persetujuan %1</source>
            <translation>Consent of %1</translation>
        </message>
        <message>
            <source>Versi naskah persetujuan: %1</source>
            <translation>Consent text version: %1</translation>
        </message>
        <message>
            <source>Rekam wajah %1</source>
            <translation>Record %1's face</translation>
        </message>
        <message>
            <source>Terekam (%1 foto)</source>
            <translation>Recorded (%1 pictures)</translation>
        </message>
        <message>
            <source>%1 dari %2</source>
            <translation>%1 of %2</translation>
        </message>
        <message>
            <source>%1, dicatat oleh %2</source>
            <translation>%1, recorded by %2</translation>
        </message>
    </context>
    <context>
        <name>AdminScreen</name>
        <message>
            <source>Data wajah</source>
            <translation>Face data</translation>
        </message>
    </context>
</TS>
