package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The YAML parser as data binding reads it, noting in {@link Problems} where every key and value
 * stands, and reporting a key given twice in one mapping (binding would keep one silently) and a
 * key its record does not know, where it stands (binding sees unknown keys of a record only after
 * it has set the record aside, without their place in the file).
 */
final class LocatingParser extends JsonParserDelegate {
    private final Problems problems;
    /** Each mapping being read, innermost first. */
    private final Deque<Mapping> mappings = new ArrayDeque<>();

    private static final class Mapping {
        final Set<String> seen = new HashSet<>();
        /** The record's keys, sorted; null while no record reads this mapping. */
        Set<String> known;
    }

    LocatingParser(JsonParser yaml, Problems problems) {
        super(yaml);
        this.problems = problems;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        while (true) {
            JsonToken t = delegate.nextToken();
            if (t == null) {
                return null;
            }
            switch (t) {
                case FIELD_NAME -> {
                    String path = Problems.path(getParsingContext());
                    Mapping m = mappings.peek();
                    if (m != null && !m.seen.add(getCurrentName())) {
                        problems.add(path, currentTokenLocation(), "appears twice (first at line "
                                + problems.keyAt(path).getLineNr() + ")");
                        // reported: binding does not see the second one (it would stop at a record's
                        // key set twice), whichever it would have kept
                        delegate.nextToken();
                        delegate.skipChildren();
                        continue;
                    }
                    problems.key(path, currentTokenLocation());
                    if (m != null && m.known != null && !m.known.contains(getCurrentName())) {
                        problems.add(path, currentTokenLocation(), "unknown key (known: " + String.join(", ", m.known) + ")");
                    }
                }
                case END_OBJECT -> mappings.poll();
                case END_ARRAY -> { }
                default -> {
                    problems.value(Problems.path(getParsingContext()), currentTokenLocation());
                    if (t == JsonToken.START_OBJECT) {
                        mappings.push(new Mapping());
                    }
                }
            }
            return t;
        }
    }

    /** The keys of the record that reads the mapping just begun; any other is an error. */
    void expectKeys(Set<String> known) {
        if (!mappings.isEmpty()) {
            mappings.peek().known = known;
        }
    }

    // JsonParserDelegate hands these straight to the YAML parser: read through nextToken instead,
    // so that what they pass over is accounted for too
    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
        if (currentToken() != JsonToken.START_OBJECT && currentToken() != JsonToken.START_ARRAY) {
            return this;
        }
        int open = 1;
        while (open > 0) {
            JsonToken t = nextToken();
            if (t == null) {
                break;
            }
            if (t.isStructStart()) {
                open++;
            } else if (t.isStructEnd()) {
                open--;
            }
        }
        return this;
    }
}
