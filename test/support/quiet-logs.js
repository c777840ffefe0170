// Tests print only warnings and errors of the server's logger unless the developer asks for more.
process.env.ONESHOT_ROTO_LOG_LEVEL = process.env.ONESHOT_ROTO_LOG_LEVEL || 'warn';
