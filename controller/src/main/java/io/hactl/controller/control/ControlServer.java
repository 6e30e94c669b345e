package io.hactl.controller.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: a Unix stream socket, mode 0600 in a directory only root may
 * write, answering one JSON request per connection. Clients that are not root (SO_PEERCRED) are
 * refused even if the file modes were loosened.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    /** Answers a request; throws to answer an error. */
    public interface Handler {
        JsonNode handle(String cmd, JsonNode request) throws Exception;
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final boolean requireRoot;
    private volatile boolean open = true;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler, boolean requireRoot) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.requireRoot = requireRoot;
        this.workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "hactl-control");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "hactl-control-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds the socket. Refuses when another daemon answers on it; removes a stale file; creates
     * the directory (0700) if missing and refuses a directory others may write to.
     */
    public static ControlServer start(Path path, Handler handler, boolean requireRoot) throws IOException {
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
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        ControlServer s = new ControlServer(path, server, handler, requireRoot);
        s.acceptor.start();
        return s;
    }

    private void acceptLoop() {
        while (open) {
            try {
                SocketChannel client = server.accept();
                workers.execute(() -> serve(client));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (open) {
                    LOG.warn("control socket: accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            ObjectNode reply = ControlProtocol.JSON.createObjectNode();
            reply.put("v", ControlProtocol.VERSION);
            try {
                if (requireRoot) {
                    UnixDomainPrincipal who = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
                    if (!"root".equals(who.user().getName())) {
                        throw new IllegalArgumentException("only root may control hactl (you are " + who.user().getName() + ")");
                    }
                }
                JsonNode request = ControlProtocol.JSON.readTree(readLine(client));
                int v = request.path("v").asInt(-1);
                if (v != ControlProtocol.VERSION) {
                    throw new IllegalArgumentException("control protocol version " + v + " is not supported (this daemon speaks "
                            + ControlProtocol.VERSION + ")");
                }
                String cmd = request.path("cmd").asText("");
                reply.put("ok", true);
                reply.set("result", handler.handle(cmd, request));
            } catch (Exception e) {
                reply.removeAll();
                reply.put("v", ControlProtocol.VERSION);
                reply.put("ok", false);
                reply.put("error", e.getMessage() == null ? e.toString() : e.getMessage());
            }
            client.write(ByteBuffer.wrap((ControlProtocol.JSON.writeValueAsString(reply) + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.debug("control socket: client went away: {}", e.getMessage());
        }
    }

    private static byte[] readLine(SocketChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (out.size() <= ControlProtocol.MAX_REQUEST) {
            int n = ch.read(b);
            if (n < 0) {
                break;
            }
            b.flip();
            while (b.hasRemaining()) {
                byte c = b.get();
                if (c == '\n') {
                    return out.toByteArray();
                }
                out.write(c);
            }
            b.clear();
        }
        if (out.size() > ControlProtocol.MAX_REQUEST) {
            throw new IOException("request longer than " + ControlProtocol.MAX_REQUEST + " bytes");
        }
        return out.toByteArray();
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
