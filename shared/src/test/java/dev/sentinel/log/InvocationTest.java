package dev.sentinel.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class InvocationTest {

    @Test
    void theTraceIdIsTheRootOfTheTraceHeader() {
        assertEquals("1-5759e988-bd862e3fe1be46a994272793",
                Invocation.rootOf("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"));
        assertEquals("1-abc", Invocation.rootOf("Sampled=0; Root=1-abc"));
        assertNull(Invocation.rootOf("Parent=53995c3f42cd8ad8"));
        assertNull(Invocation.rootOf(null));
    }

    @Test
    void anInvocationEndsWithItsClose() {
        try (Invocation outer = Invocation.begin("req-outer")) {
            try (Invocation inner = Invocation.begin("req-inner")) {
                assertEquals("req-inner", Invocation.current().requestId());
            }
            assertEquals("req-outer", Invocation.current().requestId());
        }
        assertNull(Invocation.current());
    }
}
