package io.hactl.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    @TempDir
    Path dir;

    Path write(String content, String mode) throws Exception {
        Path p = dir.resolve("sync.key");
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void generatedKeyIsOwnerOnlyAndLoads() throws Exception {
        Path p = dir.resolve("sync.key");
        KeyFile.generate(p);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
        byte[] key = KeyFile.load(p);
        assertThat(key).hasSize(KeyFile.GENERATED_BYTES);
        assertThat(KeyFile.fingerprint(key)).hasSize(16).isEqualTo(KeyFile.fingerprint(KeyFile.load(p)));
    }

    @Test
    void generateNeverOverwritesAnExistingKey() throws Exception {
        Path p = write("00112233445566778899aabbccddeeff", "rw-------");
        assertThatThrownBy(() -> KeyFile.generate(p)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        assertThat(Files.readString(p)).isEqualTo("00112233445566778899aabbccddeeff");
    }

    @Test
    void refusesMissingEmptyShortOrNonHexKeys() throws Exception {
        assertThatThrownBy(() -> KeyFile.load(dir.resolve("nope.key")))
                .hasMessageContaining("does not exist").hasMessageContaining("hactl keygen");
        assertThatThrownBy(() -> KeyFile.load(write("\n", "rw-------"))).hasMessageContaining("is empty");
        assertThatThrownBy(() -> KeyFile.load(write("0011223344556677", "rw-------")))
                .hasMessageContaining("64 bits").hasMessageContaining("at least 128");
        assertThatThrownBy(() -> KeyFile.load(write("not a hex key at all, no no no!!", "rw-------")))
                .hasMessageContaining("hexadecimal");
        assertThatThrownBy(() -> KeyFile.load(dir)).hasMessageContaining("not a regular file");
    }

    @Test
    void aBinaryKeyFileIsNamedAsSuchNotAsAnInputLength() throws Exception {
        Path p = dir.resolve("binary.key");
        Files.write(p, new byte[] {(byte) 0x8f, 0x12, (byte) 0xff, (byte) 0xc3, 0x00, 0x41, (byte) 0xe9, 0x7f});
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> KeyFile.load(p)).isInstanceOf(KeyFile.KeyFileException.class)
                .hasMessage("sync key file " + p + " is not text (a binary file?): it must hold the key in hexadecimal,"
                        + " as 'hactl keygen' writes it");
    }

    @Test
    void refusesKeysOthersCanReadOrWrite() throws Exception {
        String key = "00112233445566778899aabbccddeeff";
        assertThatThrownBy(() -> KeyFile.load(write(key, "rw-r--r--")))
                .hasMessageContaining("accessible by others").hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> KeyFile.load(write(key, "rw-r-----"))).hasMessageContaining("accessible by others");
        assertThatThrownBy(() -> KeyFile.load(write(key, "rw-----w-"))).hasMessageContaining("accessible by others");
        assertThat(KeyFile.load(write(key, "r--------"))).hasSize(16);
    }
}
