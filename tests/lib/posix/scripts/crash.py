"""An uncaught exception after some output: its traceback, status 1, output flushed."""
import helper

print("before", helper.double(21))
{}["missing"]
