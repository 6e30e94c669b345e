package io.hactl.controller.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The control socket's place in the file system, for {@link ControlServer}: a directory only
 * root may write (created 0700 when missing), the socket file mode 0600, one daemon per path.
 */
final class SocketFile {
    private SocketFile() {}

    /**
     * Binds the socket. Refuses when another daemon answers on it; removes a stale file; creates
     * the directory (0700) if missing and refuses a directory others may write to.
     */
    static ServerSocketChannel bind(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Set<PosixFilePermission> dirPerms = Files.getPosixFilePermissions(dir);
        if (dirPerms.contains(PosixFilePermission.GROUP_WRITE) || dirPerms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("control socket directory " + dir + " is writable by others ("
                    + PosixFilePermissions.toString(dirPerms) + ")");
        }
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new IOException("another hactl daemon is running on " + path);
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().startsWith("another hactl daemon")) {
                    throw stale;
                }
                Files.delete(path);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), 128);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return server;
    }
}
