package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's directory and file: modes, a stale file, another daemon on the path. */
class SocketFileTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsCreatedForRootOnlyAndTheSocketIsMode0600() throws Exception {
        Path sock = dir.resolve("run").resolve("hactl.sock");

        try (ServerSocketChannel server = SocketFile.bind(sock)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent())))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                assertThat(client.isConnected()).isTrue();
            }
        }
    }

    @Test
    void aDirectoryOthersMayWriteToIsRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> SocketFile.bind(open.resolve("hactl.sock"))).isInstanceOf(IOException.class)
                .hasMessage("control socket directory " + open + " is writable by others (rwxrwxrwx)");
        assertThat(open.resolve("hactl.sock")).doesNotExist();
    }

    @Test
    void aStaleFileIsReplacedAndALiveDaemonIsRefused() throws Exception {
        Path sock = dir.resolve("hactl.sock");
        Files.writeString(sock, "left over");

        try (ServerSocketChannel live = SocketFile.bind(sock)) {
            assertThatThrownBy(() -> SocketFile.bind(sock)).isInstanceOf(IOException.class)
                    .hasMessage("another hactl daemon is running on " + sock);
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertThat(client.connect(UnixDomainSocketAddress.of(sock))).as("still the live one's").isTrue();
            }
        }
    }
}
