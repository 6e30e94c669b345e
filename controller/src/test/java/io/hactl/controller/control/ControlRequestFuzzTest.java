package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the control protocol: the fuzzer's bytes go to a real
 * {@link ControlServer} as one request line on its Unix socket, as {@code hactl} (or anyone root)
 * would send them. A finding is a request that gets no answer within a bounded time, an answer
 * that is not one JSON object carrying {@code v} and {@code ok}, a refusal without an error text,
 * or a request handed to the daemon's handler that the server should have refused (another
 * version) or with a command other than the one the request names.
 *
 * <p>Seeds and kept findings: src/test/resources/io/hactl/controller/control/ControlRequestFuzzTestInputs/requestLine.
 */
class ControlRequestFuzzTest {
    /**
     * A hang guard, not a speed check: an answer takes well under a millisecond, but the first
     * requests of a fuzzing run load and instrument the JSON parser, which takes tens of seconds
     * on a loaded machine. Only a server that never answers reaches it.
     */
    private static final long ANSWER_TIMEOUT_MS = 120_000;
    /** What the handler saw last: the command and the request. */
    private static final AtomicReference<Object[]> handled = new AtomicReference<>();

    private static Path dir;
    private static ControlServer server;

    @BeforeAll
    static void startServer() throws IOException {
        dir = Files.createTempDirectory("hactl-control-fuzz"); // 0700
        server = ControlServer.start(dir.resolve("hactl.sock"), request -> {
            handled.set(new Object[] {request});
            return ControlProtocol.JSON.getNodeFactory().textNode("handled " + request.getClass().getSimpleName());
        }, false);
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "25s")
    void requestLine(byte[] input) throws IOException {
        handled.set(null);
        byte[] answer = exchange(input);
        assertThat(answer).as("an answer").isNotEmpty();
        assertThat(answer[answer.length - 1]).as("the answer ends its line").isEqualTo((byte) '\n');
        JsonNode reply = ControlProtocol.JSON.readTree(answer);
        assertThat(reply.isObject()).as("answer %s is an object", reply).isTrue();
        assertThat(reply.path("v").asInt()).isEqualTo(ControlProtocol.VERSION);
        assertThat(reply.path("ok").isBoolean()).as("answer %s says ok or not", reply).isTrue();
        Object[] seen = handled.get();
        if (reply.path("ok").asBoolean()) {
            assertThat(seen).as("an ok answer came from the handler").isNotNull();
            // the server refuses what is not one strict request of this version: what it handed
            // on is the line's own request, of the version and command the line names
            JsonNode line = ControlProtocol.JSON.readTree(input);
            assertThat(line.path("v").isInt() && line.path("v").asInt() == ControlProtocol.VERSION)
                    .as("version of a handled request %s", line).isTrue();
            assertThat(RequestCodec.decode(input)).as("request handed to the handler")
                    .isEqualTo(seen[0]);
            assertThat(reply.path("result").asText()).isEqualTo("handled " + seen[0].getClass().getSimpleName());
        } else {
            assertThat(reply.path("error").asText()).as("refusal %s says why", reply).isNotBlank();
        }
    }

    /** Sends one line (the input, ended by a newline) and reads the answer until the server closes. */
    private static byte[] exchange(byte[] line) throws IOException {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT_MS * 1_000_000;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(server.path()));
            ByteBuffer out = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.configureBlocking(false);
            ch.register(sel, SelectionKey.OP_READ);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                assertThat(left).as("the server answers (no answer after %d ms)", ANSWER_TIMEOUT_MS).isPositive();
                sel.select(left);
                sel.selectedKeys().clear();
                int n = ch.read(in);
                if (n < 0) {
                    return answer.toByteArray();
                }
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
        }
    }
}
