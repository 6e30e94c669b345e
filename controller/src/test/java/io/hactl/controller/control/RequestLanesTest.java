package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request answered in its lane: the handler's value or its error as one JSON line, then closed. */
class RequestLanesTest {
    @TempDir
    Path dir;
    final CountDownLatch commitMayFinish = new CountDownLatch(1);
    final RequestLanes lanes = new RequestLanes(request -> {
        if (request instanceof ControlRequest.Commit) {
            commitMayFinish.await();
            return "committed";
        }
        if (request instanceof ControlRequest.Flush) {
            throw new IllegalStateException("the engine is stopping");
        }
        return Map.of("answered", request.getClass().getSimpleName());
    });

    @AfterEach
    void tearDown() {
        commitMayFinish.countDown();
        lanes.shutdownNow();
    }

    static JsonNode line(String text) throws Exception {
        assertThat(text).endsWith("\n").containsOnlyOnce("\n");
        return ControlProtocol.JSON.readTree(text);
    }

    @Test
    void theHandlersValueIsTheResultAndTheConnectionIsClosed() throws Exception {
        try (Sockets s = new Sockets(dir, "ping.sock")) {
            lanes.submit(s.daemon, new ControlRequest.Ping());

            JsonNode reply = line(s.readAll());

            assertThat(reply.get("v").asInt()).isEqualTo(ControlProtocol.VERSION);
            assertThat(reply.get("ok").asBoolean()).isTrue();
            assertThat(reply.get("result").get("answered").asText()).isEqualTo("Ping");
            assertThat(s.daemon.isOpen()).isFalse();
        }
    }

    @Test
    void theHandlersErrorIsTheAnswerWithoutAResult() throws Exception {
        try (Sockets s = new Sockets(dir, "flush.sock")) {
            lanes.submit(s.daemon, new ControlRequest.Flush(null));

            JsonNode reply = line(s.readAll());

            assertThat(reply.get("ok").asBoolean()).isFalse();
            assertThat(reply.get("error").asText()).isEqualTo("the engine is stopping");
            assertThat(reply.has("result")).isFalse();
        }
    }

    @Test
    void aLongOperationHoldsNeitherQuestionsNorNotifyAndCountsAsAnsweringUntilDone() throws Exception {
        try (Sockets commit = new Sockets(dir, "commit.sock"); Sockets ping = new Sockets(dir, "ping.sock");
                Sockets notify = new Sockets(dir, "notify.sock")) {
            lanes.submit(commit.daemon, new ControlRequest.Commit());
            CompletableFuture<String> committed = CompletableFuture.supplyAsync(commit::readAll);
            assertThat(lanes.answering()).isEqualTo(1);

            lanes.submit(ping.daemon, new ControlRequest.Ping());
            lanes.submit(notify.daemon, new ControlRequest.Notify("MASTER", null));

            assertThat(line(ping.readAll()).get("ok").asBoolean()).isTrue();
            assertThat(line(notify.readAll()).get("result").get("answered").asText()).isEqualTo("Notify");
            assertThat(committed).isNotDone();
            commitMayFinish.countDown();
            assertThat(line(committed.get(5, TimeUnit.SECONDS)).get("result").asText()).isEqualTo("committed");
            await().atMost(Duration.ofSeconds(5)).until(() -> lanes.answering() == 0);
        }
    }

    @Test
    void afterShutdownARequestIsNotAnsweredAndItsConnectionIsClosed() throws Exception {
        lanes.shutdownNow();
        try (Sockets s = new Sockets(dir, "late.sock")) {
            lanes.submit(s.daemon, new ControlRequest.Ping());

            assertThat(s.readAll()).isEmpty();
            assertThat(lanes.answering()).isZero();
        }
    }
}
