package io.hactl.controller.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A connected pair of Unix stream sockets: the daemon's end of a control connection and its client's. */
final class Sockets implements AutoCloseable {
    final SocketChannel daemon;
    final SocketChannel client;

    /** A pair connected through {@code dir}/{@code name}. */
    Sockets(Path dir, String name) throws IOException {
        Path path = dir.resolve(name);
        try (ServerSocketChannel listen = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listen.bind(UnixDomainSocketAddress.of(path));
            client = SocketChannel.open(UnixDomainSocketAddress.of(path));
            daemon = listen.accept();
        }
    }

    /** Everything the client receives until the daemon's end is closed. */
    String readAll() {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        try {
            while (client.read(b) >= 0) {
                b.flip();
                sb.append(StandardCharsets.UTF_8.decode(b));
                b.clear();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        daemon.close();
        client.close();
    }
}
