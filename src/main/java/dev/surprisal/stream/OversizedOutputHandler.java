package dev.surprisal.stream;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The last line behind the processor's own size checks: a record the broker refuses as too large
 * (a topic created by hand with a smaller max.message.bytes than the scorer assumes) is logged and
 * skipped, because failing the task would only fail it again on the same record, forever. Any other
 * production error fails the task, as by default.
 */
public final class OversizedOutputHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(OversizedOutputHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context,
                                org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (exception instanceof RecordTooLargeException) {
            LOG.error("the broker refused a {}-byte record for {} as too large (input {}-{}@{}); it is skipped. "
                            + "Raise the topic's max.message.bytes to at least output.max.record.bytes.",
                    (record.value() == null ? 0 : record.value().length), record.topic(), context.topic(),
                    context.partition(), context.offset());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
