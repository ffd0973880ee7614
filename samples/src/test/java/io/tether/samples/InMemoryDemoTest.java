package io.tether.samples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryDemoTest {
    @Test
    void theDemoConvergesAndPrintsWhatItChecked() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InMemoryDemo.Result result = new InMemoryDemo(new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(result.converged(), printed);
        assertEquals(2, result.hub().size(), "t3 was deleted");
        assertEquals("Buy oat milk", result.hub().get("t1").get("title"));
        assertEquals(true, result.hub().get("t1").get("done"), "field-merge kept B's edit of another field");
        assertEquals(5L, result.hub().get("t2").get("priority"));
        assertTrue(printed.contains("All three agree."), printed);
    }
}
