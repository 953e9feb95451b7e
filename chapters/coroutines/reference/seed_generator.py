# The seed entry's own example (Day 4, "Stackless Continuations"), verbatim below
# this header. It is kept only to obtain CPython's real trace of the program:
#   python3 reference/seed_generator.py > reference/seed_generator.cpython.txt
# tests/seed_trace.rs checks the Rust port against that file.

# Generator - yields values one at a time

def count_to_million():
    """Generate numbers 1 to 1,000,000 without storing them all"""
    print("Starting generator...")

    for i in range(1, 1_000_001):
        print(f"Generating {i}")
        yield i  # 📑 PAUSE here, return value
        print(f"Resumed after {i}")

    print("Generator complete!")

# Usage
counter = count_to_million()

# First call
print(next(counter))  # Outputs: 1 (paused after yield)

# Do other stuff...
print("Doing other work...")

# Resume
print(next(counter))  # Outputs: 2 (resumed from yield, paused again)

print("More work...")

# Resume again
print(next(counter))  # Outputs: 3

# Can iterate through all values
for num in count_to_million():
    if num > 5:
        break  # Stop early, generator cleaned up
    print(num)

"""
Output:
Starting generator...
Generating 1
1
Resumed after 1
Doing other work...
Generating 2
2
Resumed after 2
More work...
Generating 3
3

Key Point: Only one number exists in memory at a time!
Without generator: Would need array with 1 million numbers! 💥
"""
