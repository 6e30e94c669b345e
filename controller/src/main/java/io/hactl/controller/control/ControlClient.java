package io.hactl.controller.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Sends one request to the daemon and waits, at most a bounded time, for its answer. */
public final class ControlClient {
    /** Where the daemon listens unless control.socket says otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/hactl/hactl.sock");

    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    public JsonNode call(ObjectNode request, Duration timeout) throws ControlException {
        request.put("v", ControlProtocol.VERSION);
        try {
            byte[] answer = exchange(ControlProtocol.JSON.writeValueAsBytes(request), timeout);
            JsonNode reply = ControlProtocol.JSON.readTree(answer);
            if (!reply.path("ok").asBoolean(false)) {
                throw new ControlException(reply.path("error").asText("the daemon refused the request"), false);
            }
            return reply.path("result");
        } catch (IOException e) {
            throw new ControlException("talking to the hactl daemon failed: " + e.getMessage(), false);
        }
    }

    /**
     * Sends one request line (JSON without the newline) and returns the answer line as it came,
     * not empty. Touches no object mapper, so a short command can read the answer with the
     * streaming parser alone.
     */
    public byte[] exchange(byte[] request, Duration timeout) throws ControlException {
        if (!Files.exists(socket)) {
            throw new ControlException("hactl daemon is not running (no control socket " + socket + ")", true);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // non-blocking throughout: a daemon whose backlog is full or that does not read or answer
            // costs at most the timeout, never a hang
            ch.configureBlocking(false);
            connect(ch, deadline, timeout);
            ByteBuffer out = ByteBuffer.allocate(request.length + 1).put(request).put((byte) '\n').flip();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try (Selector sel = Selector.open()) {
                SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
                while (out.hasRemaining()) {
                    sel.select(millisLeft(deadline, timeout));
                    sel.selectedKeys().clear();
                    ch.write(out);
                }
                key.interestOps(SelectionKey.OP_READ);
                while (true) {
                    sel.select(millisLeft(deadline, timeout));
                    sel.selectedKeys().clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        break;
                    }
                    if (n > 0) {
                        answer.write(buf.array(), 0, n);
                        buf.clear();
                        if (buf.get(n - 1) == '\n') {
                            break;
                        }
                    }
                }
            }
            if (answer.size() == 0) {
                throw new ControlException("hactl daemon closed the connection without answering", true);
            }
            return answer.toByteArray();
        } catch (IOException e) {
            throw new ControlException("talking to the hactl daemon failed: " + e.getMessage(), false);
        }
    }

    /** Connects, retrying while the daemon's backlog is full (EAGAIN), until the deadline. */
    private void connect(SocketChannel ch, long deadline, Duration timeout) throws ControlException, IOException {
        boolean pending = false;
        for (int attempt = 0; ; attempt++) {
            try {
                if (pending ? ch.finishConnect() : ch.connect(UnixDomainSocketAddress.of(socket))) {
                    return;
                }
                pending = true;
            } catch (AccessDeniedException | SecurityException e) {
                throw new ControlException("permission denied on " + socket + ": the control socket is root-only", true);
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("ermission")) {
                    throw new ControlException("permission denied on " + socket + ": the control socket is root-only", true);
                }
                if (!m.contains("temporarily unavailable")) {
                    throw new ControlException("hactl daemon is not running (" + socket + ": " + m + ")", true);
                }
            }
            // the backlog is full: the daemon is not accepting; try again shortly, within the timeout
            long left = millisLeft(deadline, timeout);
            try {
                Thread.sleep(Math.min(left, Math.min(100, 5L << Math.min(attempt, 4))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ControlException("interrupted connecting to " + socket, true);
            }
        }
    }

    /** Milliseconds left before the deadline; past it, the daemon is taken as unreachable. */
    private static long millisLeft(long deadline, Duration timeout) throws ControlException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new ControlException("hactl daemon did not answer within " + timeout.toMillis() + " ms", true);
        }
        return left;
    }

    /** The daemon's {@code status}, read into the schema. */
    public StatusReport status(Duration timeout) throws ControlException {
        return StatusReport.of(call("status", timeout), ControlProtocol.JSON);
    }

    public JsonNode call(String cmd, Duration timeout) throws ControlException {
        ObjectNode r = ControlProtocol.JSON.createObjectNode();
        r.put("cmd", cmd);
        return call(r, timeout);
    }
}
