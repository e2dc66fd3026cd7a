"""Live operations against a real account through boto3: the blue-green switch (`switch`), the
write-back of its result into the stack file (`config_writeback`) and AWS call retries (`aws_retry`)."""
