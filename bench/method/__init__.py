"""The method: what a run measures (plan), the paired rotation, statistics, figure precision, answer judging, the answers in words."""
