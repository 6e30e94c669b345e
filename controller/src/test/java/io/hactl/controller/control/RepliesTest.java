package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepliesTest {
    @TempDir
    Path dir;

    @Test
    void aRefusalIsOneErrorLineAndTheConnectionCloses() throws Exception {
        try (Sockets s = new Sockets(dir, "refused.sock")) {
            Replies.refuse(s.daemon, "request longer than 65536 bytes");

            String text = s.readAll();
            assertThat(text).isEqualTo("{\"v\":1,\"ok\":false,\"error\":\"request longer than 65536 bytes\"}\n");
            assertThat(s.daemon.isOpen()).isFalse();
        }
    }

    @Test
    void aReplyLargerThanTheSocketBufferIsWrittenWholeAsTheClientReads() throws Exception {
        ObjectNode reply = ControlProtocol.JSON.createObjectNode();
        reply.put("v", ControlProtocol.VERSION);
        reply.put("ok", true);
        reply.put("result", "x".repeat(4 << 20));
        byte[] bytes = Replies.encode(reply);
        try (Sockets s = new Sockets(dir, "large.sock")) {
            s.daemon.configureBlocking(false); // as the server's channels are
            CompletableFuture<String> read = CompletableFuture.supplyAsync(s::readAll);

            Replies.write(s.daemon, bytes);
            s.daemon.close();

            JsonNode back = ControlProtocol.JSON.readTree(read.get(10, TimeUnit.SECONDS));
            assertThat(back.get("result").asText()).hasSize(4 << 20);
        }
    }
}
