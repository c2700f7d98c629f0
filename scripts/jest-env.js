// Every test runs in UTC so dates in assertions never depend on the machine.
process.env.TZ = 'UTC';
