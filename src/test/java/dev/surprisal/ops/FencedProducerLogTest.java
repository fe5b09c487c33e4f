package dev.surprisal.ops;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FencedProducerLogTest {

    @Test
    void onlyAnErrorAboutBeingFencedIsDropped() {
        assertTrue(FencedProducerLog.fenced(Level.ERROR, new ProducerFencedException("newer producer")));
        assertTrue(FencedProducerLog.fenced(Level.ERROR,
                new KafkaException("aborted", new InvalidProducerEpochException("old epoch"))));
        assertFalse(FencedProducerLog.fenced(Level.WARN, new ProducerFencedException("newer producer")),
                "Kafka Streams' own WARN about it stays");
        assertFalse(FencedProducerLog.fenced(Level.ERROR, new TransactionalIdAuthorizationException("denied")),
                "a refused login is an error");
        assertFalse(FencedProducerLog.fenced(Level.ERROR, (Throwable) null));
        assertTrue(FencedProducerLog.fenced(Level.ERROR, "Error encountered sending record to topic t for task 0_1 due to:\n"
                + "org.apache.kafka.common.errors.InvalidProducerEpochException: Producer attempted to produce with an old "
                + "epoch.\nWritten offsets would not be recorded and no more records would be sent since the producer is "
                + "fenced, indicating the task may be migrated out"));
        assertFalse(FencedProducerLog.fenced(Level.ERROR, "Error encountered sending record to topic t for task 0_1 due to:\n"
                + "org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized"));
    }
}
