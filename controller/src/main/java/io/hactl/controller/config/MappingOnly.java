package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A record of {@link ConfigFile} reads a mapping and nothing else: a scalar or a list in its place
 * is an error at its line, skipped whole (data binding would try to make one out of a string or
 * step into the list first). It tells the parser the record's keys, so that an unknown one is
 * reported where it stands.
 */
final class MappingOnly extends DelegatingDeserializer {
    private volatile Set<String> known;

    MappingOnly(JsonDeserializer<?> record) {
        super(record);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
        return new MappingOnly(newDelegatee);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT && p.currentToken() != JsonToken.FIELD_NAME
                && p.currentToken() != JsonToken.END_OBJECT) {
            Problems.of(ctxt).at(p, "must be a mapping of keys");
            p.skipChildren();
            return null;
        }
        if (p instanceof LocatingParser located && p.currentToken() == JsonToken.START_OBJECT) {
            located.expectKeys(known());
        }
        return super.deserialize(p, ctxt);
    }

    private Set<String> known() {
        if (known == null) {
            Set<String> names = new TreeSet<>();
            getDelegatee().getKnownPropertyNames().forEach(n -> names.add(n.toString()));
            known = Collections.unmodifiableSet(names);
        }
        return known;
    }
}
