"""What runs the measured things: server processes and their pool, the load probe, the side scripts, memory and machine readings."""
