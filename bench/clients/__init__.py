"""The clients every rotation measures with, behind one protocol (`bench.clients.protocol`)."""
