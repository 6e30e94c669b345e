package io.hactl.controller.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writing a reply line to a control client and closing its connection: the whole reply, given
 * up when the client stalls; or a short error that never blocks.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    /** A reply stalled this long (the client does not read) is abandoned. */
    static final Duration WRITE_STALL = Duration.ofSeconds(10);

    private Replies() {}

    /** The reply as one line of UTF-8 JSON. */
    static byte[] encode(ObjectNode reply) throws IOException {
        return (ControlProtocol.JSON.writeValueAsString(reply) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the whole reply, giving up when the client takes no bytes for {@link #WRITE_STALL}. */
    static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        ch.write(b);
        if (!b.hasRemaining()) {
            return;
        }
        try (Selector s = Selector.open()) {
            ch.register(s, SelectionKey.OP_WRITE);
            while (b.hasRemaining()) {
                if (s.select(WRITE_STALL.toMillis()) == 0) {
                    throw new IOException("client read nothing for " + WRITE_STALL.toSeconds() + " s");
                }
                s.selectedKeys().clear();
                ch.write(b);
            }
        }
    }

    /** Answers an error without blocking (a short line fits any socket buffer) and closes. */
    static void refuse(SocketChannel ch, String error) {
        try {
            ObjectNode reply = ControlProtocol.JSON.createObjectNode();
            reply.put("v", ControlProtocol.VERSION);
            reply.put("ok", false);
            reply.put("error", error);
            ch.write(ByteBuffer.wrap(encode(reply)));
        } catch (IOException e) {
            LOG.debug("control socket: refusing a client: {}", e.getMessage());
        } finally {
            closeQuietly(ch);
        }
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
